"""`python3 build.py check-deploy URL`: a live site compared with what the build intends."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

import build
from publish import deploy_check, headers, serve

# A host that got the headers wrong: the widget's policy doubled, the page's missing, the runtime
# cached twice over, style sheets mistyped, and an old page left in place.
MISCONFIGURED = """
[[headers]]
for = "/*"
[headers.values]
Cache-Control = "public, max-age=0, must-revalidate"
[[headers]]
for = "/widget.html"
[headers.values]
Content-Security-Policy = "default-src 'none'; frame-ancestors *"
[[headers]]
for = "/widget*"
[headers.values]
Content-Security-Policy = "default-src 'none'; frame-ancestors 'none'"
"""


@pytest.fixture
def misconfigured(dist: Path, tmp_path: Path) -> Iterator[str]:
    copy = tmp_path / "deployed"
    shutil.copytree(dist, copy)
    (copy / "index.html").write_text((dist / "index.html").read_text() + "<!-- old -->")
    config = tmp_path / "netlify.toml"
    config.write_text(MISCONFIGURED)
    rules = headers.from_toml(config) + headers.from_headers_file(copy / headers.HEADERS_FILE)
    types = {**serve.SiteHandler.extensions_map, ".css": "text/plain"}
    handler = type("Wrong", (serve.SiteHandler,), {"rules": rules, "extensions_map": types})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(copy)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_the_local_server_is_as_intended(
    site: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build.check_deploy(site, dist) == 0
    assert "serves every file of dist/ with the intended headers" in capsys.readouterr().out


def test_each_difference_is_named_on_a_line_of_its_own(
    misconfigured: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build.check_deploy(misconfigured, dist) == 1
    lines = capsys.readouterr().out.splitlines()
    runtime = f"/pyodide/{build.PYODIDE_VERSION}"
    for expected in (
        "/: no content-security-policy",
        "/: no x-frame-options",
        "/widget.html: content-security-policy sent 2 times (a browser obeys each of them)",
        f"{runtime}/pyodide.asm.wasm.gz: cache-control sent 2 times (a browser obeys each of them)",
        "/static/style.css: served as text/plain, not text/css",
        "/index.html: its bytes differ from dist/ (an old or altered deploy?)",
        # No redirects, so each page is served at its address without ".html", unguarded.
        "/token: serves /token.html without its headers: no content-security-policy",
        "/token/: serves /token.html without its headers: no x-frame-options",
        "/index: serves / without its headers: no content-security-policy",
        "/index/: serves / without its headers: no content-security-policy",
        "/widget/: serves /widget.html without its headers: no x-content-type-options",
    ):
        assert expected in lines
    assert not [line for line in lines if line.startswith("/embed.js: its bytes")]


def test_a_page_address_redirected_elsewhere_is_named(
    dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def get(url: str) -> deploy_check.Fetched:
        if url.endswith("/token"):
            return deploy_check.Fetched(301, [("Location", "https://elsewhere.example/")], b"")
        return deploy_check.Fetched(404, [], b"")

    found = deploy_check.problems("https://checker.example/", dist, [], get)
    assert "/token: redirects to https://elsewhere.example/, not to its page /token.html" in found


def test_an_unreachable_site_is_a_failure_not_a_traceback(
    dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build.check_deploy("http://127.0.0.1:9/", dist) == 1
    assert "/: could not be fetched" in capsys.readouterr().out


def test_the_command_needs_an_address(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        build.main(["check-deploy"])
    assert usage.value.code == 2
    assert "https://your-site.netlify.app" in capsys.readouterr().err
