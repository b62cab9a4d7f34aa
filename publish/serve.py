"""The built site served locally as Netlify serves it: its types, compression and headers."""

from __future__ import annotations

import errno
import gzip as gzip_module
import io
import os
import posixpath
import sys
from functools import lru_cache, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

from publish import headers

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".svg": "image/svg+xml",
}


# Types Netlify's CDN compresses; binary runtime files are compressed by the build instead.
COMPRESSED_TYPES = ("text/", "application/json", "image/svg+xml")


@lru_cache(maxsize=64)
def _compressed(path: str, mtime_ns: int) -> bytes:
    # Keyed by modification time too, so that a rebuilt file is compressed afresh.
    return gzip_module.compress(Path(path).read_bytes(), 6)


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves dist/ as Netlify does: its MIME types, netlify.toml's redirects and headers, and
    each page at its address without ".html" too. With `pretty_urls`, as Netlify's Pretty URLs
    setting does, it also redirects a page's ".html" address to the one without."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        **MIME_TYPES,
    }
    rules: ClassVar[list[headers.Rule]] = []
    redirects: ClassVar[list[headers.Redirect]] = []
    served: ClassVar[list[str] | None] = None
    pretty_urls: ClassVar[bool] = False

    def translate_path(self, path: str) -> str:
        found = _file_for(Path(self.directory), _address(path))
        # Nothing outside dist/ is ever named: an address that leads out of it is served as 404.
        return str(found) if found else str(Path(self.directory) / _NOWHERE)

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404)  # Netlify lists no folders

    def send_head(self) -> Any:
        """Text compressed on the fly, as Netlify's CDN does; everything else as it is."""
        raw, _, query = self.path.partition("?")
        address = _address(raw)
        if address == "/" + headers.HEADERS_FILE:
            self.send_error(404)  # Netlify reads it; it never serves it
            return None
        if headers.sent_for(_requested(raw), self.rules) != headers.sent_for(address, self.rules):
            # Rules match the path as requested, before decoding, as Netlify's do: "/%74oken"
            # would serve token.html without its policy. Here nothing is served without it.
            self.send_error(404)
            return None
        path = self.translate_path(self.path)
        redirect = headers.redirect_for(address, self.redirects, served=os.path.exists(path))
        to = redirect.to if redirect else None
        status = redirect.status if redirect else 301
        if to is None and self.pretty_urls and address.lower().endswith(".html"):
            stem = address[: -len(".html")]
            to = (stem[: -len("/index")] if stem.lower().endswith("/index") else stem) or "/"
        if to is not None:
            # Netlify passes the query on to where a redirect leads.
            self.send_response(status)
            self.send_header("Location", to + (f"?{query}" if query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        kind = self.guess_type(path)
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (os.path.isfile(path) and kind.startswith(COMPRESSED_TYPES) and accepts_gzip):
            return super().send_head()
        stat = os.stat(path)
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-gzip"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        body = _compressed(path, stat.st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("ETag", etag)
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        # Every matching rule's headers, doubles included: the strictest reading of the CDN.
        for name, value in headers.sent_for(_requested(self.path), self.rules):
            self.send_header(name, value)
        super().end_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.served is not None:
            self.served.append(self.path)
        super().log_request(code, size)

    def log_message(self, format: str, *args: object) -> None:
        if os.environ.get("CHECKER_SERVER_LOG"):
            super().log_message(format, *args)


# What an address that names no file is translated to: no file by that name is ever built.
_NOWHERE = "no such file (outside the site, or missing)"


def _requested(path: str) -> str:
    """The path of a request as header rules see it: without query or fragment, not decoded."""
    return path.split("?", 1)[0].split("#", 1)[0]


def _address(path: str) -> str:
    """The path of a request as rules and files see it: decoded, without query or fragment,
    its dot segments resolved, never above the site's root."""
    decoded = unquote(path.split("?", 1)[0].split("#", 1)[0])
    resolved = posixpath.normpath("/" + decoded.lstrip("/"))
    # normpath keeps "//" at the start, and a trailing slash is part of the address.
    resolved = "/" + resolved.lstrip("/")
    return resolved + "/" if decoded.endswith("/") and resolved != "/" else resolved


def _file_for(site: Path, address: str) -> Path | None:
    """The file Netlify serves at `address`: the file itself, a folder's index.html, or a page
    by its address without ".html" (with or without a trailing slash). None for anything else,
    and for anything that is not inside `site` (a link out of it, say)."""
    if "\0" in address:
        return None
    relative = address.strip("/")
    candidates = [site / relative / "index.html", site / (relative + ".html")]
    if not address.endswith("/"):
        candidates.insert(0, site / relative)
    root = site.resolve()
    for candidate in candidates:
        if candidate.is_file() and candidate.resolve().is_relative_to(root):
            return candidate
    return None


class _SiteServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that cancels a download it no longer needs is not the server's error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(
    port: int,
    directory: Path,
    host: str = "127.0.0.1",
    served: list[str] | None = None,
    *,
    pretty_urls: bool = False,
) -> ThreadingHTTPServer:
    """A server for `directory`; the path of each request is appended to `served`, if given.
    `pretty_urls` plays Netlify's setting of that name turned on."""
    attributes = {
        "rules": headers.site_rules(directory),
        "redirects": headers.redirects_from_toml(headers.CONFIG),
        "served": served,
        "pretty_urls": pretty_urls,
    }
    handler = type("Handler", (SiteHandler,), attributes)
    return _SiteServer((host, port), partial(handler, directory=str(directory)))


def serve(port: int, directory: Path, *, pretty_urls: bool = False) -> int:
    try:
        server = make_server(port, directory, pretty_urls=pretty_urls)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        print(f"build: port {port} is in use; try --port {port + 1}", file=sys.stderr)
        return 2
    print(f"Serving the checker at http://localhost:{server.server_port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
