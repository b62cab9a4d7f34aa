"""Whole numbers written as text by someone else (a header, a string in JSON): ASCII digits only.

`str.isdigit()` also takes "²", which `int()` then refuses with a ValueError, and the digits of
other scripts ("١٢"), which `int()` reads as a number nobody wrote; so no text from outside is
tested with it, here or anywhere in checker/.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")


def ascii_digits(text: str, *, most: int = 19) -> bool:
    """Whether `text` is 1 to `most` ASCII digits and nothing else."""
    return len(text) <= most and _DIGITS.fullmatch(text) is not None
