"""Whether a text is a tmsh configuration file: the cheap test a run makes on every file.

Kept apart from the tmsh reader so that a run without F5 files never imports the reader.
"""

from __future__ import annotations

import re

# The first word of every top-level object: a tmsh module.
MODULE = (
    r"(?:ltm|sys|net|gtm|apm|asm|auth|cm|security|pem|cli|wom|wam|analytics|ilx|ifile|afm"
    r"|vcmp|api-protection)"
)
# A line starts after "\n" or after a "\r" alone: the reader then says why it refuses the file.
_LOOKS_LIKE = re.compile(rf"(?:^|(?<=\r))(?:#TMSH-VERSION|{MODULE}\s[^\r\n{{]*\{{)", re.M)


def looks_like_tmsh(text: str) -> bool:
    """True for text that has a ``#TMSH-VERSION`` line or a line like ``ltm pool /C/p {``."""
    if "{" not in text and "#TMSH-VERSION" not in text:
        return False  # the pattern needs one of them: no pass over a large file
    return _LOOKS_LIKE.search(text) is not None
