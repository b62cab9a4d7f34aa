"""Assemble the publishable site in dist/, or build and serve it locally as Netlify would.

    python3 build.py                  build dist/
    python3 build.py serve [--port N] build, then serve dist/ on http://localhost:N
    python3 build.py check-deploy URL build, then compare the site at URL with dist/

The Python runtime (npm package `pyodide`) and the `pyodide-http` wheel are pinned by version and
hash below. Downloads are cached outside the repository, so a rebuild needs no network.

With NETLIFY_OAUTH_CLIENT_ID set (a Netlify OAuth application's client ID), the pages offer
"Sign in with Netlify"; without it they offer pasting a personal access token only.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from publish import headers, pages
from publish.compress import Compressor
from publish.deploy_check import check_deploy
from publish.downloads import BuildError, Download, cache_dir, fetch, pip_download
from publish.serve import MIME_TYPES, serve

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

# The Cache Storage cache where sw.js keeps the runtime; a new version starts a new one.
KEPT_IN = f"pyodide-{PYODIDE_VERSION}"


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
            command=pip_download(f"pyodide-http=={PYODIDE_HTTP_VERSION}"),
            algorithm="sha256",
            digest=PYODIDE_HTTP_SHA256,
        ),
    )


def build(
    dist: Path = DIST, cache: Path | None = None, *, oauth_client_id: str | None = None
) -> Path:
    """`oauth_client_id` shows the sign-in; by default it comes from NETLIFY_OAUTH_CLIENT_ID."""
    cache = cache or cache_dir()
    client_id = oauth_client_id or pages.client_id_from_environment()
    pyodide_archive, http_wheel = (fetch(d, cache) for d in downloads())
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

    stdlib = trimmed_stdlib(package, app_zip, http_wheel)
    # Compressed results are kept with the downloads' default cache, whatever `cache` is here.
    squeeze = Compressor(cache_dir())
    files = [
        # Compressed here, not left to the CDN: whether Netlify compresses .wasm is not documented.
        # Kept inflated by sw.js too: compiled from there, its machine code is cached as well.
        _startup_file(
            runtime, "pyodide.asm.wasm", package["pyodide.asm.wasm"], gzip=squeeze, kept=True
        ),
        # The standard library, the app and pyodide-http, precompiled together. Named for its
        # content: it changes with the app, yet is cached as immutable.
        _startup_file(runtime, "python_stdlib.zip", stdlib, gzip=squeeze, hashed=True),
        _startup_file(runtime, "pyodide-lock.json", _empty_lockfile(package["pyodide-lock.json"])),
    ]
    _fill_in(
        staging / "static" / "worker.js",
        {
            "RUNTIME_DIR": f"../pyodide/{PYODIDE_VERSION}/",
            "STDLIB": str(files[1]["serves"]),
            "FILES": json.dumps(files),
            "KEPT_IN": KEPT_IN,
        },
    )
    # At the root, so that its scope covers the page and the widget.
    shutil.move(staging / "static" / "sw.js", staging / "sw.js")
    _fill_in(
        staging / "sw.js",
        {"RUNTIME": f"pyodide/{PYODIDE_VERSION}/pyodide.asm.wasm", "CACHE": KEPT_IN},
    )
    _immutable_runtime(staging, runtime)
    shutil.rmtree(dist, ignore_errors=True)
    staging.rename(dist)
    return dist


def _immutable_runtime(site: Path, runtime: Path) -> None:
    """Write _headers for the runtime's files, then check every rule the site is served with."""
    files = sorted("/" + str(file.relative_to(site)) for file in runtime.iterdir())
    headers.write_headers_file(site / headers.HEADERS_FILE, files, headers.IMMUTABLE)
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


# Runs Pyodide under Node.js at build time. pyodide-http's requests go to a stand-in for the
# browser's XMLHttpRequest that plays back the answers the Python side queues.
STDLIB_RUNNER = """
import { readFile } from "node:fs/promises";
const dir = process.env.BUILD_DIR;
const { loadPyodide } = await import(`${dir}/pyodide.mjs`);
globalThis.crossOriginIsolated = false;
globalThis.importScripts = () => {};
globalThis.XMLHttpRequest = class {
  open() {}
  setRequestHeader() {}
  getAllResponseHeaders() { return this.headers; }
  send() {
    const [answer, ...rest] = JSON.parse(globalThis.answers);
    globalThis.answers = JSON.stringify(rest);
    if (answer.fail) throw new Error("NetworkError: a refused request");
    this.status = answer.status;
    this.headers = answer.headers;
    this.response = new TextEncoder().encode(answer.body).buffer;
  }
};
const pyodide = await loadPyodide({ indexURL: `${dir}/`, stdout: console.error });
pyodide.mountNodeFS("/build", dir);
pyodide.runPython(await readFile(`${dir}/trim.py`, "utf8"));
"""

# Inside Pyodide: run the app's every code path the way the browser does, then compile each
# standard-library module that got imported into a zip of .pyc files.
STDLIB_TRIMMER = """
import json, sys
import js

# As in the browser's worker: the two archives go on sys.path as they are, for zipimport.
sys.path[:0] = ["/build/app.zip", "/build/pyodide_http.whl"]
import pyodide_http
pyodide_http.patch_all()
import app
from checker import transport

JSON = "content-type: application/json\\r\\netag: W/\\"1\\"\\r\\n"
FIGURES = json.dumps({"used": 1, "included": 2, "additional": 0,
    "last_updated_at": "2024-03-10T15:15:03Z", "period_start_date": "2024-02-17T00:00:00-08:00",
    "period_end_date": "2024-03-17T00:00:00-07:00"})
TEAMS = json.dumps([{"slug": "a", "name": "A", "type_name": "Pro", "capabilities": {
    "sites": {"used": 1, "included": 2}, "credits": {"used": 0, "included": 5}}}])
def answer(status, body="", headers=JSON):
    return {"status": status, "headers": headers, "body": body}
SCENARIOS = [
    ("a", [answer(200, FIGURES)]),
    ("a", [answer(304)]),
    ("", [answer(200, TEAMS), answer(200, FIGURES)]),
    ("", [answer(200, TEAMS), answer(403, "{}")]),
    ("a", [answer(401, '{"code": 401}')]),
    ("a", [answer(404, "Not Found", "content-type: text/plain\\r\\n")]),
    ("a", [answer(429, "{}", "x-ratelimit-reset: 1700000000\\r\\n")]),
    ("a", [answer(429, "{}", "retry-after: 2024-06-12 09:53:37 UTC\\r\\n")]),
    ("a", [answer(429, "{}", "retry-after: Wed, 12 Jun 2024 09:53:37 GMT\\r\\n")]),
    ("a", [answer(502, "<html><body>Bad gateway</body></html>", "content-type: text/html\\r\\n")]),
    ("a", [answer(200, "{not json")]),
    ("a", [answer(200, "")]),
    ("a", [answer(200, '{"used": "x", "included": 1}')]),
    ("a", [{"fail": True}]),
    ("../a", []),
]
for team, answers in SCENARIOS:
    js.answers = json.dumps(answers)
    app.handle(json.dumps({"token": "nfp_build", "team": team}), transport.send, lambda: None)
app.handle(json.dumps({"token": "", "team": "a"}), transport.send)
app.handle(json.dumps({"example": True}), transport.send)
# A team named by slug: its figures, then its details (getAccount: one entry of the list).
js.answers = json.dumps([answer(200, FIGURES), answer(200, TEAMS[1:-1])])
form = json.dumps({"token": "nfp_build", "team": "a"})
app.handle(form, transport.send, lambda: None)
app.details(form, transport.send)
app.handle("not json", transport.send)

# Every module imported from the standard library, the app or pyodide-http, by archive.
archives = [entry for entry in sys.path if entry.endswith((".zip", ".whl"))]
modules = sorted({
    (archive, module.__file__[len(archive) + 1:])
    for module in list(sys.modules.values())
    for archive in archives
    if str(getattr(module, "__file__", None)).startswith(archive + "/")
})
# Only now, so that what writes the zip is not counted as what the page needs.
import importlib.util, marshal, types, zipfile


# Every instruction placed on its code's first line: line tables are a third of a module's
# compiled size, and the page never shows a traceback. Each two-byte entry covers up to eight
# instructions: kind 13 ("no columns"), line offset 0.
def one_line(code):
    units = len(code.co_code) // 2
    table = bytearray()
    while units > 0:
        table += bytes([0x80 | 13 << 3 | (min(units, 8) - 1), 0])
        units -= 8
    consts = tuple(one_line(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_linetable=bytes(table), co_consts=consts)


# Hash-based and unchecked: the zip holds no sources to check them against.
HEADER = importlib.util.MAGIC_NUMBER + (1).to_bytes(4, "little")
# One zip for all of it, which Pyodide mounts in the standard library's place.
stdlib = next(archive for archive in archives if archive.startswith("/lib/"))
with zipfile.ZipFile("/build/stdlib.zip", "w") as target:
    for archive, name in modules:
        with zipfile.ZipFile(archive) as source:
            text = source.read(name)
        code = compile(text, f"{stdlib}/{name}", "exec", dont_inherit=True, optimize=2)
        compiled = HEADER + importlib.util.source_hash(text) + marshal.dumps(one_line(code))
        info = zipfile.ZipInfo(name[:-3] + ".pyc", date_time=(2020, 1, 1, 0, 0, 0))
        target.writestr(info, compiled)
print(f"build: {len(modules)} modules precompiled into one zip", file=sys.stderr)
"""


def trimmed_stdlib(package: dict[str, bytes], app_zip: bytes, http_wheel: bytes) -> bytes:
    """The standard library cut to the modules the page imports, compiled ahead of time.

    Python compiles every module it imports at each start, and that compiling is most of a
    stock Pyodide's start-up time; compiled here, by the very runtime the page uses, it is not.
    """
    if shutil.which("node") is None:
        raise BuildError("precompiling the standard library needs Node.js (`node`), not found.")
    print("build: precompiling the standard library under Node.js", file=sys.stderr)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        for name in PYODIDE_FILES:
            (folder / name).write_bytes(package[name])
        (folder / "app.zip").write_bytes(app_zip)
        (folder / "pyodide_http.whl").write_bytes(http_wheel)
        (folder / "trim.py").write_text(STDLIB_TRIMMER)
        result = subprocess.run(
            ["node", "--input-type=module", "-e", STDLIB_RUNNER],
            env={**os.environ, "BUILD_DIR": str(folder)},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not (folder / "stdlib.zip").exists():
            raise BuildError(f"precompiling the standard library failed:\n{result.stderr[-3000:]}")
        print(result.stderr.strip().splitlines()[-1], file=sys.stderr)
        return (folder / "stdlib.zip").read_bytes()


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command", nargs="?", choices=["build", "serve", "check-deploy"], default="build"
    )
    parser.add_argument("url", nargs="?", help="for `check-deploy`: the deployed site's address")
    parser.add_argument("--port", type=int, default=8000, help="port for `serve` (default 8000)")
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
        return serve(args.port, dist)
    if args.command == "check-deploy":
        return check_deploy(args.url, dist)
    return 0


if __name__ == "__main__":
    sys.exit(main())
