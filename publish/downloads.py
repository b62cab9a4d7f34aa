"""Files the build takes from a registry: fetched once, kept in a cache, verified at every use."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


class BuildError(Exception):
    """A build step failed for a reason the person running it can act on."""


@dataclass(frozen=True)
class Download:
    name: str
    filename: str
    command: list[str]
    algorithm: str
    digest: str

    def matches(self, data: bytes) -> bool:
        actual = hashlib.new(self.algorithm, data).digest()
        if self.algorithm == "sha512":
            return base64.b64encode(actual).decode() == self.digest
        return actual.hex() == self.digest


def pip_download(requirement: str, *options: str) -> list[str]:
    """pip fetching one wheel, nothing it depends on; the destination folder goes last."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    return [*command, "--only-binary=:all:", *options, requirement, "-d"]


def cache_dir() -> Path:
    configured = os.environ.get("CHECKER_CACHE_DIR")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "netlify-bandwidth-checker"


def unlink_if_link(path: Path) -> None:
    """A symbolic link where a cache entry belongs is no entry: it goes, and is made afresh.

    Whatever wrote into it would write wherever it points (another of the user's files).
    """
    if path.is_symlink():
        print(f"build: {path} is a link, not a file; replacing it", file=sys.stderr)
        path.unlink()


def write_entry(path: Path, data: bytes) -> None:
    """Write a cache entry as a real file: never through a link, never half-written."""
    unlink_if_link(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    # O_EXCL with O_NOFOLLOW: a link planted at the partial name is refused, not followed.
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    # Replacing renames over the name itself: a link that appeared there meanwhile is replaced.
    os.replace(partial, path)


def fetch(download: Download, cache: Path) -> bytes:
    """The pinned file's bytes, from the cache or the registry, verified either way."""
    path = cache / download.filename
    unlink_if_link(path)
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        tool = download.command[0]
        if shutil.which(tool) is None:
            raise BuildError(f"{download.name} must be downloaded, but `{tool}` is not installed.")
        print(f"build: downloading {download.name}", file=sys.stderr)
        result = subprocess.run(
            [*download.command, str(cache)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or not path.exists():
            raise BuildError(
                f"downloading {download.name} failed:\n{result.stderr.strip() or result.stdout}"
            )
    data = path.read_bytes()
    if not download.matches(data):
        path.unlink()
        raise BuildError(
            f"{download.name} does not match the hash pinned in build.py, so it was not used "
            f"(and {path} was deleted). A tampered or corrupted download; run the build again, "
            "and if it fails again, do not publish."
        )
    return data
