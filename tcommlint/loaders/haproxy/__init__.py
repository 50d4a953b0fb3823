"""HAProxy: haproxy.cfg read, defaults resolved, compiled into the pipeline model."""
