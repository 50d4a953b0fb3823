"""Ground truth for tcommlint's HAProxy stickiness verdicts: a real haproxy on loopback."""
