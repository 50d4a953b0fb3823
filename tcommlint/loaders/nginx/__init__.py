"""nginx: ``nginx.conf`` and its includes compiled into the pipeline model."""
