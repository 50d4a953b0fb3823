"""The generic formats TComm configuration is written in: properties, XML, YAML, JSON."""
