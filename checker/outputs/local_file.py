"""The command line's own files (`--history FILE`, `--summary FILE`, `--notify-file FILE`):
opened without following a link, refused unless they are regular files, and made readable by
their owner alone.

A history says how a team's usage moved, day by day, and a summary lists every team: for the
reader's eyes only. So a new file is made readable by its owner alone; a symbolic link in its
place is refused rather than followed (another user who can write to the folder could otherwise
point it at a file of the reader's, which the checker would then write to); and a pipe or a
device is refused rather than waited on for ever.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from checker.figures.history import Reading, read_lines

# Not on every system (Windows has no symbolic links or pipes to refuse this way).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Opening a pipe waits for its other end; without waiting, the file can be looked at first.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
NOT_REGULAR = "is not a regular file (a pipe, a device or a folder), so it is left alone"


class LocalFileError(OSError):
    """The file could not be read or written; `reason` says why in plain words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.reason = f"{path}: {reason}"


def _opened(path: Path, flags: int) -> int:
    try:
        descriptor = os.open(path, flags | _NOFOLLOW | _NONBLOCK | os.O_CLOEXEC, 0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            reason = "is a symbolic link, which the checker does not follow"
        elif error.errno in (errno.ENXIO, errno.EISDIR):
            reason = NOT_REGULAR  # a pipe nobody reads, or a folder
        else:
            reason = error.strerror or "cannot be opened"
        raise LocalFileError(path, reason) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise LocalFileError(path, NOT_REGULAR)
    os.set_blocking(descriptor, True)
    return descriptor


def read(path: Path) -> list[Reading]:
    """The readings a history file holds; none if it does not exist yet."""
    if not path.exists() and not path.is_symlink():
        return []
    try:
        with open(_opened(path, os.O_RDONLY), encoding="utf-8", errors="replace") as file:
            return read_lines(file)
    except LocalFileError:
        raise
    except OSError as error:
        raise LocalFileError(path, error.strerror or "cannot be read") from None


def read_text(path: Path, most: int = 64 * 1024) -> str:
    """A small file of the reader's, such as --notify-file's addresses, whole."""
    try:
        with open(_opened(path, os.O_RDONLY), encoding="utf-8", errors="replace") as file:
            text = file.read(most + 1)
    except LocalFileError:
        raise
    except OSError as error:
        raise LocalFileError(path, error.strerror or "cannot be read") from None
    if len(text) > most:
        raise LocalFileError(path, f"is larger than {most // 1024} KiB, so it is not read")
    return text


def append(path: Path, readings: Iterable[Reading]) -> None:
    """Adds one line to a history file for each reading."""
    append_text(path, "".join(reading.line() + "\n" for reading in readings))


def append_text(path: Path, text: str) -> None:
    """Adds `text` to the file, making it (readable by its owner only) if need be."""
    descriptor = _opened(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        with open(descriptor, "a", encoding="utf-8") as file:
            file.write(text)
    except OSError as error:  # a full disk, say
        raise LocalFileError(path, error.strerror or "cannot be written") from None
