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
    pages = headers.page_addresses(dist)
    built = headers.from_headers_file(copy / headers.HEADERS_FILE)
    rules = headers.from_toml(config) + [rule for rule in built if rule.path not in pages]
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
    assert "/token: redirects to https://elsewhere.example/, off this site" in found


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


def test_a_site_with_pretty_urls_on_is_as_intended(
    pretty_site: str, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build.check_deploy(pretty_site, dist) == 0, capsys.readouterr().out


def test_a_redirect_loop_is_caught(dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The redirects netlify.toml had, served with Netlify's Pretty URLs setting on.
    old = [
        headers.Redirect(source, to, 301, True)
        for source, to in (("/token", "/token.html"), ("/widget", "/widget.html"))
    ]
    attributes = {"rules": headers.site_rules(dist), "redirects": old, "pretty_urls": True}
    handler = type("Looping", (serve.SiteHandler,), attributes)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(dist)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert build.check_deploy(f"http://127.0.0.1:{server.server_port}/", dist) == 1
    finally:
        server.shutdown()
        server.server_close()
    lines = capsys.readouterr().out.splitlines()
    assert "/token.html: redirects in a loop: /token.html → /token → /token.html" in "\n".join(
        line.split(" (the page")[0] for line in lines
    ), lines
    assert any(line.startswith("/widget.html: redirects in a loop") for line in lines)


def test_every_other_form_of_a_pages_address_is_asked_for(dist: Path) -> None:
    asked: list[str] = []

    def get(url: str) -> deploy_check.Fetched:
        asked.append(url.removeprefix("https://checker.example"))
        return deploy_check.Fetched(404, [], b"")

    deploy_check.problems("https://checker.example/", dist, [], get)
    for address in ("/Token.html", "/token.html/", "/token%2Ehtml", "/TOKEN", "/token/"):
        assert address in asked


def test_what_a_site_sends_is_printed_without_its_escape_sequences(
    dist: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def get(url: str) -> deploy_check.Fetched:
        location = "https://evil.example/\x1b]0;pwned\x07\x1b[2J"
        return deploy_check.Fetched(301, [("Location", location)], b"")

    monkeypatch.setattr(deploy_check, "fetch", get)
    monkeypatch.setattr(
        deploy_check,
        "problems",
        partial(deploy_check.problems, get=get),
    )
    assert build.check_deploy("https://checker.example/", dist) == 1
    out = capsys.readouterr().out
    assert "off this site" in out
    assert "\x1b" not in out and "\x07" not in out
