"""Assemble the publishable site in dist/, or build and serve it locally as Netlify would.

    python3 build.py                  build dist/
    python3 build.py serve [--port N] [--pretty-urls]
                                      build, then serve dist/ on http://localhost:N
    python3 build.py check-deploy URL build, then compare the site at URL with dist/

The Python runtime (npm package `pyodide`) is pinned by version and hash below. Downloads are
cached outside the repository, so a rebuild needs no network.

With NETLIFY_OAUTH_CLIENT_ID set (a Netlify OAuth application's client ID), the pages offer
"Sign in with Netlify"; without it they offer pasting a personal access token only.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import shutil
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from checker.session import LIMITS
from publish import headers, pages
from publish.compress import Compressor
from publish.deploy_check import check_deploy
from publish.downloads import BuildError, Download, cache_dir, fetch
from publish.serve import MIME_TYPES, serve
from publish.stdlib import trimmed_stdlib

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

# The Python the browser runs: the checker's layers whole, and the page's session; never what
# only the command line needs (checker/outputs/, cli.py, arguments.py, and transport.py: the
# browser sends its requests with fetch).
BROWSER_LAYERS = ("netlify", "figures", "view")
APP_SOURCES = (
    "checker/__init__.py",
    "checker/session.py",
    *sorted(
        path.relative_to(ROOT).as_posix()
        for layer in BROWSER_LAYERS
        for path in (ROOT / "checker" / layer).glob("*.py")
    ),
)

# The Cache Storage cache where sw.js keeps the runtime; a new version starts a new one.
KEPT_IN = f"pyodide-{PYODIDE_VERSION}"


RUNTIME = Download(
    name=f"pyodide {PYODIDE_VERSION} (npm)",
    filename=f"pyodide-{PYODIDE_VERSION}.tgz",
    command=["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent", "--pack-destination"],
    algorithm="sha512",
    digest=PYODIDE_SHA512,
)


def build(
    dist: Path = DIST, cache: Path | None = None, *, oauth_client_id: str | None = None
) -> Path:
    """`oauth_client_id` shows the sign-in; by default it comes from NETLIFY_OAUTH_CLIENT_ID."""
    cache = cache or cache_dir()
    client_id = oauth_client_id or pages.client_id_from_environment()
    pyodide_archive = fetch(RUNTIME, cache)
    staging = dist.with_name(dist.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(ROOT / "static", staging / "static")
    pages.write(staging, (ROOT / "index.html").read_text(), client_id)
    # The embed snippet names /embed.js, at the site's root.
    shutil.move(staging / "static" / "embed.js", staging / "embed.js")
    app_zip = app_bundle()

    runtime = staging / "pyodide" / PYODIDE_VERSION
    runtime.mkdir(parents=True)
    package = {}
    with tarfile.open(fileobj=io.BytesIO(pyodide_archive), mode="r:gz") as tar:
        for name in PYODIDE_FILES:
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise BuildError(f"the pyodide package has no {name}")
            package[name] = member.read()
    for name in ("pyodide.mjs", "pyodide.asm.mjs"):
        (runtime / name).write_bytes(package[name])

    stdlib = trimmed_stdlib(package, app_zip)
    # Compressed results are kept with the downloads' default cache, whatever `cache` is here.
    squeeze = Compressor(cache_dir())
    files = [
        # Compressed here, not left to the CDN: whether Netlify compresses .wasm is not documented.
        # Kept inflated by sw.js too: compiled from there, its machine code is cached as well.
        _startup_file(
            runtime, "pyodide.asm.wasm", package["pyodide.asm.wasm"], gzip=squeeze, kept=True
        ),
        # The standard library and the app, precompiled together. Named for its
        # content: it changes with the app, yet is cached as immutable.
        _startup_file(runtime, "python_stdlib.zip", stdlib, gzip=squeeze, hashed=True),
        _startup_file(runtime, "pyodide-lock.json", _empty_lockfile(package["pyodide-lock.json"])),
    ]
    _fill_in(
        staging / "static" / "runtime.js",
        {
            "RUNTIME_DIR": f"../pyodide/{PYODIDE_VERSION}/",
            "STDLIB": str(files[1]["serves"]),
            "FILES": files,
            "KEPT_IN": KEPT_IN,
            "SNAPSHOT": f"../pyodide/{PYODIDE_VERSION}/{_snapshot_name(files)}",
        },
    )
    _worker_in_one_file(staging / "static")
    # Python's bounds, for the worker to say with `ready`, before it imports the checker.
    _fill_in(staging / "static" / "worker.js", {"LIMITS": LIMITS})
    # At the root, so that its scope covers the page and the widget.
    shutil.move(staging / "static" / "sw.js", staging / "sw.js")
    _fill_in(
        staging / "sw.js",
        {"RUNTIME": f"pyodide/{PYODIDE_VERSION}/pyodide.asm.wasm", "CACHE": KEPT_IN},
    )
    _write_headers(staging, runtime)
    shutil.rmtree(dist, ignore_errors=True)
    staging.rename(dist)
    return dist


def _write_headers(site: Path, runtime: Path) -> None:
    """Write _headers (each page's rules for its other addresses, and the runtime's files as
    immutable), then check every rule the site is served with."""
    configured = headers.from_toml(headers.CONFIG)
    files = sorted("/" + str(file.relative_to(site)) for file in runtime.iterdir())
    immutable = [headers.Rule(file, tuple(headers.IMMUTABLE.items()), "") for file in files]
    pages = headers.page_rules(site, configured)
    headers.write_headers_file(site / headers.HEADERS_FILE, [*pages, *immutable])
    headers.check_site(site, headers.site_rules(site), headers.redirects_from_toml(headers.CONFIG))


def _startup_file(
    runtime: Path,
    name: str,
    data: bytes,
    *,
    gzip: Callable[[bytes], bytes] | None = None,
    hashed: bool = False,
    kept: bool = False,
) -> dict[str, object]:
    """Write one file the worker fetches before Python starts, and describe it for the worker.

    `path` is what the worker fetches (from static/), `serves` the address Pyodide asks for,
    `size` and `sha256` the bytes after decompression, `kept` whether sw.js keeps a copy
    between visits (checked against `sha256` before it is used).
    """
    if hashed:
        stem, dot, extension = name.partition(".")
        name = f"{stem}-{hashlib.sha256(data).hexdigest()[:12]}{dot}{extension}"
    served = f"../pyodide/{PYODIDE_VERSION}/{name}"
    stored = name + ".gz" if gzip else name
    payload = gzip(data) if gzip else data
    (runtime / stored).write_bytes(payload)
    return {
        "path": f"../pyodide/{PYODIDE_VERSION}/{stored}",
        "serves": served,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "gzip": gzip is not None,
        "type": MIME_TYPES[Path(name).suffix],
        "kept": kept,
    }


def _empty_lockfile(lockfile: bytes) -> bytes:
    # The page loads no packages from the lock file, so only its header is worth downloading.
    info = json.loads(lockfile)["info"]
    return json.dumps({"info": info, "packages": {}}).encode()


def _snapshot_name(files: list[dict[str, object]]) -> str:
    """The name a memory snapshot of Python is kept under in the reader's browser: one for each
    runtime and standard library (the checker's Python is in it), so that a new build restores
    no snapshot of an old one (static/runtime.js)."""
    runtime = "\n".join(f"{file['serves']} {file['sha256']}" for file in files)
    return f"snapshot-{hashlib.sha256(runtime.encode()).hexdigest()[:16]}.bin"


def _fill_in(path: Path, values: dict[str, object]) -> None:
    """Fill in a script's placeholders, each written as a JavaScript string, so that the script
    is valid as it stands (and checked so by the tests): a whole string "%KEY%" takes the value
    as JSON, a placeholder inside a longer string takes it as text."""
    text = path.read_text()
    for key, value in values.items():
        placeholder = f"%{key}%"
        if placeholder not in text:
            raise BuildError(f"{path.name} has no {placeholder} to fill in")
        text = text.replace(f'"{placeholder}"', json.dumps(value))
        text = text.replace(placeholder, str(value))
    path.write_text(text)


# A module of static/ imported by another: `import { … } from "./name.js";`, a line of its own.
_LOCAL_IMPORT = re.compile(r'^import \{[^}]*\} from "\./([\w-]+\.js)";\n', re.MULTILINE)


def _worker_in_one_file(static: Path) -> None:
    """The modules worker.js imports (runtime.js, and messages.js, which runtime.js imports too)
    folded into it, each once, before its first use. A worker cannot preload what it imports,
    so each import would cost Python's start a request before its first download (measured
    with benchmarks/startup.py); the sources stay files each with one job. runtime.js goes, as
    only the worker has it; messages.js stays for the page, whose python.js imports it."""
    worker = static / "worker.js"
    text = worker.read_text()
    if [name for name in _LOCAL_IMPORT.findall(text) if name == "runtime.js"] != ["runtime.js"]:
        raise BuildError("worker.js does not import runtime.js in the one line build.py expects")
    folded: list[str] = []

    def fold(found: re.Match[str]) -> str:
        name = found.group(1)
        if name in folded:
            return ""
        folded.append(name)
        body = _LOCAL_IMPORT.sub(fold, (static / name).read_text())
        return re.sub(r"^export ", "", body, flags=re.MULTILINE) + "\n"

    worker.write_text(_LOCAL_IMPORT.sub(fold, text))
    (static / "runtime.js").unlink()


def app_bundle() -> bytes:
    """The app's Python as a zip, byte-for-byte the same for the same sources."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in APP_SOURCES:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, (ROOT / name).read_bytes())
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command", nargs="?", choices=["build", "serve", "check-deploy"], default="build"
    )
    parser.add_argument("url", nargs="?", help="for `check-deploy`: the deployed site's address")
    parser.add_argument("--port", type=int, default=8000, help="port for `serve` (default 8000)")
    parser.add_argument(
        "--pretty-urls",
        action="store_true",
        help="for `serve`: play Netlify's Pretty URLs setting (/token.html redirects to /token)",
    )
    args = parser.parse_args(argv)
    if args.command == "check-deploy" and not args.url:
        parser.error("check-deploy needs the site's address, e.g. https://your-site.netlify.app")
    try:
        dist = build()
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    print(f"build: wrote {dist}", file=sys.stderr)
    if args.command == "serve":
        return serve(args.port, dist, pretty_urls=args.pretty_urls)
    if args.command == "check-deploy":
        return check_deploy(args.url, dist)
    return 0


if __name__ == "__main__":
    sys.exit(main())
