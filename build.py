"""Assemble the publishable site in dist/, or build and serve it locally as Netlify would.

    python3 build.py                  build dist/
    python3 build.py serve [--port N] build, then serve dist/ on http://localhost:N

The Python runtime (npm package `pyodide`) and the `pyodide-http` wheel are pinned by version and
hash below. Downloads are cached outside the repository, so a rebuild needs no network.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent
DIST = ROOT / "dist"

PYODIDE_VERSION = "314.0.7"
# The npm registry's own integrity field for this version (`npm view pyodide@314.0.7 dist`).
PYODIDE_SHA512 = (
    "0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=="
)
# Only what the page loads; the package's consoles, source maps and type files stay behind.
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
PYODIDE_HTTP_VERSION = "0.2.2"
PYODIDE_HTTP_SHA256 = "cf006ea593c1643b5badeb4d42ed24a6eebd830276171fa1f82de0777b3fb608"

# The Python the browser runs: the app and its package, nothing else from the repository.
APP_SOURCES = (
    "app.py",
    "checker/__init__.py",
    "checker/api.py",
    "checker/figures.py",
    "checker/transport.py",
)

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".svg": "image/svg+xml",
}


HeaderRule = tuple[re.Pattern[str], dict[str, str]]


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


def downloads() -> tuple[Download, Download]:
    return (
        Download(
            name=f"pyodide {PYODIDE_VERSION} (npm)",
            filename=f"pyodide-{PYODIDE_VERSION}.tgz",
            command=["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent", "--pack-destination"],
            algorithm="sha512",
            digest=PYODIDE_SHA512,
        ),
        Download(
            name=f"pyodide-http {PYODIDE_HTTP_VERSION} (PyPI)",
            filename=f"pyodide_http-{PYODIDE_HTTP_VERSION}-py3-none-any.whl",
            command=[
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                f"pyodide-http=={PYODIDE_HTTP_VERSION}",
                "-d",
            ],
            algorithm="sha256",
            digest=PYODIDE_HTTP_SHA256,
        ),
    )


def cache_dir() -> Path:
    configured = os.environ.get("CHECKER_CACHE_DIR")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "netlify-bandwidth-checker"


def fetch(download: Download, cache: Path) -> bytes:
    """The pinned file's bytes, from the cache or the registry, verified either way."""
    path = cache / download.filename
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


def build(dist: Path = DIST, cache: Path | None = None) -> Path:
    cache = cache or cache_dir()
    pyodide_archive, http_wheel = (fetch(d, cache) for d in downloads())
    staging = dist.with_name(dist.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(ROOT / "static", staging / "static")
    shutil.copy2(ROOT / "index.html", staging / "index.html")

    runtime = staging / "pyodide" / PYODIDE_VERSION
    runtime.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(pyodide_archive), mode="r:gz") as tar:
        for name in PYODIDE_FILES:
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise BuildError(f"the pyodide package has no {name}")
            (runtime / name).write_bytes(member.read())
    (runtime / downloads()[1].filename).write_bytes(http_wheel)
    (staging / "static" / "app.zip").write_bytes(app_bundle())

    wheel = f"../pyodide/{PYODIDE_VERSION}/{downloads()[1].filename}"
    _fill_in(
        staging / "static" / "worker.js",
        {
            "RUNTIME_DIR": f"../pyodide/{PYODIDE_VERSION}/",
            "HTTP_WHEEL": wheel,
            "FILES": json.dumps(startup_files(staging, wheel)),
        },
    )
    shutil.rmtree(dist, ignore_errors=True)
    staging.rename(dist)
    return dist


def startup_files(site: Path, wheel: str) -> list[dict[str, object]]:
    """What the worker downloads before Python starts: path from static/, size, required type."""
    runtime = [name for name in PYODIDE_FILES if name != "pyodide.mjs"]
    paths = [f"../pyodide/{PYODIDE_VERSION}/{name}" for name in runtime] + [wheel, "app.zip"]
    return [
        {
            "path": path,
            "size": (site / "static" / path).resolve().stat().st_size,
            # Browsers compile wasm from a stream only when it is typed as such.
            "type": MIME_TYPES[".wasm"] if path.endswith(".wasm") else None,
        }
        for path in paths
    ]


def _fill_in(path: Path, values: dict[str, str]) -> None:
    text = path.read_text()
    for key, value in values.items():
        placeholder = f"%{key}%"
        if placeholder not in text:
            raise BuildError(f"{path.name} has no {placeholder} to fill in")
        text = text.replace(placeholder, value)
    path.write_text(text)


def app_bundle() -> bytes:
    """The app's Python as a zip, byte-for-byte the same for the same sources."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in APP_SOURCES:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, (ROOT / name).read_bytes())
    return buffer.getvalue()


# --- serving ------------------------------------------------------------------------------------


def header_rules(
    config: Path = ROOT / "netlify.toml",
) -> list[HeaderRule]:
    """netlify.toml's [[headers]] as (path pattern, headers), in file order."""
    rules = []
    for rule in tomllib.loads(config.read_text()).get("headers", []):
        pattern = "".join(
            ".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", rule["for"])
        )
        values = {
            name: " ".join(str(value).split()) for name, value in rule.get("values", {}).items()
        }
        rules.append((re.compile(pattern + r"\Z"), values))
    return rules


def headers_for(path: str, rules: list[HeaderRule]) -> dict[str, str]:
    # As Netlify does: every matching rule applies, and a later rule's value for a header wins.
    headers: dict[str, str] = {}
    for pattern, values in rules:
        if pattern.match(path):
            headers.update(values)
    return headers


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves dist/ with Netlify's MIME types and the headers netlify.toml declares."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        **MIME_TYPES,
    }
    rules: ClassVar[list[HeaderRule]] = []
    served: ClassVar[list[str] | None] = None

    def end_headers(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        for name, value in headers_for(path, self.rules).items():
            self.send_header(name, value)
        super().end_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.served is not None:
            self.served.append(self.path)
        super().log_request(code, size)

    def log_message(self, format: str, *args: object) -> None:
        if os.environ.get("CHECKER_SERVER_LOG"):
            super().log_message(format, *args)


def make_server(
    port: int = 8000,
    directory: Path = DIST,
    host: str = "127.0.0.1",
    served: list[str] | None = None,
) -> ThreadingHTTPServer:
    """A server for `directory`; the path of each request is appended to `served`, if given."""
    handler = type("Handler", (SiteHandler,), {"rules": header_rules(), "served": served})
    return ThreadingHTTPServer((host, port), partial(handler, directory=str(directory)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", nargs="?", choices=["build", "serve"], default="build")
    parser.add_argument("--port", type=int, default=8000, help="port for `serve` (default 8000)")
    args = parser.parse_args(argv)
    try:
        dist = build()
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    print(f"build: wrote {dist}", file=sys.stderr)
    if args.command == "serve":
        server = make_server(args.port)
        print(f"Serving the checker at http://localhost:{server.server_port}/ (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
