"""``python -m tcommlint``."""

from tcommlint.cli import console

console()
