"""tcommlint: a configuration linter for TComm Proxy / Chat Proxy deployments."""

__version__ = "0.1.0"
