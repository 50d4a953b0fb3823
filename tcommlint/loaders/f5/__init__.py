"""F5 BIG-IP: tmsh bigip.conf files and AS3 declarations."""
