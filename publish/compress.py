"""gzip at its smallest for the runtime files the build compresses itself."""

from __future__ import annotations

import atexit
import gzip as gzip_module
import hashlib
import io
import platform
import shutil
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

from publish.downloads import BuildError, Download, fetch, pip_download, unlink_if_link, write_entry

# Build tool only (never shipped): the best gzip compressor there is. Its wheel for Linux on
# x86_64 (Netlify's build machines) is pinned like the runtime; elsewhere the build uses zlib.
ZOPFLI_VERSION = "0.4.3"
ZOPFLI_WHEEL = f"zopfli-{ZOPFLI_VERSION}-cp310-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"
ZOPFLI_SHA256 = "769875152d0625c46707bcca57d4b2233fe653482067acd55fbf6ec525cb9bdc"


def zopfli_download() -> Download:
    return Download(
        name=f"zopfli {ZOPFLI_VERSION} (PyPI)",
        filename=ZOPFLI_WHEEL,
        command=pip_download(
            f"zopfli=={ZOPFLI_VERSION}",
            "--platform=manylinux2014_x86_64",
            "--implementation=cp",
            "--abi=abi3",
            "--python-version=3.10",
        ),
        algorithm="sha256",
        digest=ZOPFLI_SHA256,
    )


class Compressor:
    """gzip at its smallest: Zopfli where it can be had, remembered by content in the cache.

    Zopfli writes ordinary gzip about 3 % smaller than zlib's best, which on the runtime is
    over 100 KB per first visit; it takes seconds, so each result is kept. Its wheel is verified
    against the pinned hash at every build and unpacked afresh, never installed.
    """

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.zopfli: Any = None
        self.looked = False

    def __call__(self, data: bytes) -> bytes:
        kept = self.cache / "compressed" / f"{hashlib.sha256(data).hexdigest()}.gz"
        unlink_if_link(kept)
        if kept.exists():
            packed = kept.read_bytes()
            # Checked at every use, not only when written: a file changed in place in the cache,
            # even keeping its size, is made again rather than shipped.
            if _inflates_to(packed, data):
                return packed
            print(f"build: {kept} is damaged; compressing again", file=sys.stderr)
        zopfli = self._zopfli()
        if zopfli is None:
            return gzip_module.compress(data, 9, mtime=0)
        size = f"{len(data) / 1e6:.1f} MB"
        print(
            f"build: compressing {size} with Zopfli (once; kept for later builds)", file=sys.stderr
        )
        packed = zopfli.compress(data, numiterations=1)
        if not _inflates_to(packed, data):
            raise BuildError("Zopfli's output does not decompress to its input")
        write_entry(kept, packed)
        return packed

    def _zopfli(self) -> Any:
        if self.looked:
            return self.zopfli
        self.looked = True
        if sys.platform != "linux" or platform.machine() != "x86_64":
            print(
                "build: no pinned Zopfli for this machine, compressing with zlib", file=sys.stderr
            )
            return None
        try:
            wheel = fetch(zopfli_download(), self.cache)
        except BuildError as error:
            if "does not match" in str(error):
                raise  # a tampered tool must stop the build, not be quietly replaced
            print(f"build: Zopfli unavailable ({error}); compressing with zlib", file=sys.stderr)
            return None
        # Unpacked for this build only: what runs is what was just verified.
        unpacked = tempfile.mkdtemp(prefix="zopfli-")
        atexit.register(shutil.rmtree, unpacked, ignore_errors=True)
        zipfile.ZipFile(io.BytesIO(wheel)).extractall(unpacked)
        sys.path.insert(0, unpacked)
        try:
            import zopfli.gzip  # type: ignore[import-not-found]
        except ImportError:
            return None
        finally:
            sys.path.remove(unpacked)
        self.zopfli = zopfli.gzip
        return self.zopfli


def _inflates_to(packed: bytes, data: bytes) -> bool:
    try:
        return gzip_module.decompress(packed) == data
    except (OSError, EOFError, zlib.error):
        return False
