"""``python -m tcommlint``."""

import sys

from tcommlint.cli import main

sys.exit(main())
