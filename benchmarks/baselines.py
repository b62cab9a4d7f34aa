"""What startup.py measures our page against, served beside it: a bare `loadPyodide()` of the
stock npm package and a plain `fetch()` page (the seed article's way); and bytes counted as
Netlify would serve them."""

from __future__ import annotations

import gzip
import io
import shutil
import tarfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import build
from publish.serve import make_server

COMPRESSED_BY_NETLIFY = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt"}

FLOOR_PAGE = """<!doctype html><html lang="en"><title>floor</title>
<script type="module" src="floor.js"></script></html>"""
FLOOR_SCRIPT = """
const worker = new Worker(new URL("floor-worker.js", import.meta.url), { type: "module" });
worker.onmessage = () => performance.mark("python-ready");
"""
FLOOR_WORKER = """
import { loadPyodide } from "./stock/pyodide.mjs";
await loadPyodide({ indexURL: new URL("./stock/", import.meta.url).href });
postMessage("ready");
"""
FETCH_PAGE = """<!doctype html><html lang="en"><title>fetch</title>
<input id="token" aria-label="token"><button id="go">Check</button><p id="out"></p>
<script type="module" src="fetch.js"></script></html>"""
FETCH_SCRIPT = """
document.querySelector("#go").addEventListener("click", async () => {
  performance.mark("check-submitted");
  const response = await fetch("https://api.netlify.com/api/v1/accounts/acme/bandwidth", {
    headers: { Authorization: `Bearer ${document.querySelector("#token").value}` },
  });
  const figures = await response.json();
  const gib = (n) => (n / 1024 ** 3).toFixed(1);
  document.querySelector("#out").textContent =
    `${gib(figures.used)} GiB of ${gib(figures.included)} GiB used`;
  performance.mark("result-shown");
});
"""


def stage(dist: Path, site: Path) -> Path:
    """dist/ plus the stock runtime and the two baseline pages, served together at `site`."""
    shutil.copytree(dist, site)
    bench = site / "bench"
    (bench / "stock").mkdir(parents=True)
    archive = (build.cache_dir() / build.RUNTIME.filename).read_bytes()
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for name in build.PYODIDE_FILES:
            member = tar.extractfile(f"package/{name}")
            assert member is not None
            (bench / "stock" / name).write_bytes(member.read())
    for name, text in {
        "floor.html": FLOOR_PAGE,
        "floor.js": FLOOR_SCRIPT,
        "floor-worker.js": FLOOR_WORKER,
        "fetch.html": FETCH_PAGE,
        "fetch.js": FETCH_SCRIPT,
    }.items():
        (bench / name).write_text(text)
    return site


def as_netlify_serves(site: Path, paths: list[str], text: Callable[[bytes], bytes]) -> int:
    """Bytes on the wire: text types compressed by `text`, as a CDN does; the rest as they are."""
    total = 0
    for path in dict.fromkeys(paths):
        file = site / path.split("?")[0].lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        if not file.exists():
            continue
        data = file.read_bytes()
        total += len(text(data)) if file.suffix in COMPRESSED_BY_NETLIFY else len(data)
    return total


def gzip_text(data: bytes) -> bytes:
    return gzip.compress(data, 9)


def brotli_text(data: bytes) -> bytes:
    import brotli  # type: ignore[import-not-found]

    return bytes(brotli.compress(data, quality=11))


class Site:
    """A staged site, served, and what was measured of its page."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.served: list[str] = []
        self.server = make_server(0, root, served=self.served)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.ours: list[dict[str, Any]] = []
        self.networked: list[dict[str, float]] = []

    def measure(self, ours: Callable[[str, list[str]], dict[str, Any]]) -> None:
        self.ours.append(ours(self.url, self.served))

    def measure_network(self, revisit: Callable[[str], dict[str, float]]) -> None:
        self.networked.append(revisit(self.url))

    def close(self) -> None:
        self.server.shutdown()
