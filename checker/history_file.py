"""The command line's history file (`--history FILE`): read and appended to, never followed.

The file says how a team's usage moved, day by day: for the reader's eyes only. So a new file is
made readable by its owner alone, and a symbolic link in its place is refused rather than
followed (another user who can write to the folder could otherwise point it at a file of the
reader's, which the checker would then append to).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from pathlib import Path

from checker.history import Reading, read_lines

# Not on every system (Windows has no symbolic links to refuse this way).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class HistoryFileError(OSError):
    """The file could not be read or added to; `reason` says why in plain words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.reason = f"{path}: {reason}"


def _opened(path: Path, flags: int) -> int:
    try:
        return os.open(path, flags | _NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise HistoryFileError(
                path, "is a symbolic link, which the checker does not follow"
            ) from None
        raise HistoryFileError(path, error.strerror or "cannot be opened") from None


def read(path: Path) -> list[Reading]:
    """The readings the file holds; none if it does not exist yet."""
    if not path.exists() and not path.is_symlink():
        return []
    try:
        with open(_opened(path, os.O_RDONLY), encoding="utf-8", errors="replace") as file:
            return read_lines(file)
    except HistoryFileError:
        raise
    except OSError as error:  # a folder, say
        raise HistoryFileError(path, error.strerror or "cannot be read") from None


def append(path: Path, readings: Iterable[Reading]) -> None:
    """Adds one line for each reading, making the file (readable by its owner only) if need be."""
    descriptor = _opened(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        with open(descriptor, "a", encoding="utf-8") as file:
            file.writelines(reading.line() + "\n" for reading in readings)
    except OSError as error:  # a full disk, say
        raise HistoryFileError(path, error.strerror or "cannot be written") from None
