"""build.py: pinned, verified downloads; a complete dist/; a server that acts like Netlify."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import re
import shutil
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import build
import publish.headers
from publish import compress, pages
from publish.headers import CONFIG
from publish.serve import serve


def cached_copy(tmp_path: Path) -> Path:
    """A private download cache holding the real, verified files."""
    cache = tmp_path / "cache"
    cache.mkdir()
    name = build.RUNTIME.filename
    shutil.copy2(build.cache_dir() / name, cache / name)
    return cache


def test_a_tampered_download_fails_the_build_and_is_thrown_away(tmp_path: Path, dist: Path) -> None:
    cache = cached_copy(tmp_path)
    runtime = cache / build.RUNTIME.filename
    data = bytearray(runtime.read_bytes())
    data[len(data) // 2] ^= 0x01
    runtime.write_bytes(bytes(data))
    with pytest.raises(build.BuildError, match="does not match the hash pinned"):
        build.build(tmp_path / "dist", cache)
    assert not runtime.exists()
    assert not (tmp_path / "dist").exists()


def test_without_npm_the_build_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(build.BuildError, match="`npm` is not installed"):
        build.build(tmp_path / "dist", tmp_path / "empty-cache")


def test_the_build_works_from_the_cache_alone(tmp_path: Path, dist: Path) -> None:
    built = build.build(tmp_path / "dist", cached_copy(tmp_path))
    assert (built / "index.html").exists()


def test_dist_holds_the_runtime_and_nothing_it_does_not_need(dist: Path) -> None:
    runtime = dist / "pyodide" / build.PYODIDE_VERSION
    names = {path.name for path in runtime.iterdir()}
    [stdlib] = [name for name in names if name.startswith("python_stdlib-")]
    assert names == {
        "pyodide.mjs",
        "pyodide.asm.mjs",
        "pyodide.asm.wasm.gz",
        stdlib,
        "pyodide-lock.json",
    }
    runtime_js = (dist / "static" / "runtime.js").read_text()
    assert not re.search(r"%[A-Z_]+%", runtime_js)  # placeholders filled in
    assert f"../pyodide/{build.PYODIDE_VERSION}/pyodide.mjs" in runtime_js
    assert not list(dist.rglob("*.map"))
    service_worker = (dist / "sw.js").read_text()
    assert f'"pyodide/{build.PYODIDE_VERSION}/pyodide.asm.wasm"' in service_worker
    assert f'"{build.KEPT_IN}"' in service_worker


def test_a_tampered_zopfli_wheel_stops_the_build(tmp_path: Path) -> None:
    wheel = bytearray(build.fetch(compress.zopfli_download(), build.cache_dir()))
    wheel[len(wheel) // 2] ^= 0x01
    (tmp_path / compress.ZOPFLI_WHEEL).write_bytes(bytes(wheel))
    with pytest.raises(build.BuildError, match=r"zopfli 0\.4\.3 \(PyPI\) does not match"):
        compress.Compressor(tmp_path)(b"anything")


def test_a_compressed_file_changed_in_the_cache_is_never_shipped(
    tmp_path: Path, dist: Path
) -> None:
    data = b"the runtime, say " * 2000
    wheel = build.fetch(compress.zopfli_download(), build.cache_dir())
    (tmp_path / compress.ZOPFLI_WHEEL).write_bytes(wheel)  # no second download
    squeeze = compress.Compressor(tmp_path)
    squeeze(data)
    [kept] = (tmp_path / "compressed").iterdir()
    damaged = bytearray(kept.read_bytes())
    damaged[len(damaged) // 2] ^= 0x20  # same size, different bytes
    kept.write_bytes(bytes(damaged))
    assert gzip.decompress(squeeze(data)) == data
    assert gzip.decompress(kept.read_bytes()) == data  # and the cache is mended


def test_a_link_in_the_cache_is_replaced_never_written_through(tmp_path: Path, dist: Path) -> None:
    """A damaged entry that is a link: the build writes a real file, and the target is untouched."""
    data = b"the runtime, say " * 2000
    cache = tmp_path / "cache"
    cache.mkdir()
    wheel = build.fetch(compress.zopfli_download(), build.cache_dir())
    (cache / compress.ZOPFLI_WHEEL).write_bytes(wheel)
    elsewhere = tmp_path / "someone-elses-file"
    elsewhere.write_bytes(b"precious")
    entry = cache / "compressed" / f"{hashlib.sha256(data).hexdigest()}.gz"
    entry.parent.mkdir()
    entry.symlink_to(elsewhere)
    assert gzip.decompress(compress.Compressor(cache)(data)) == data
    assert elsewhere.read_bytes() == b"precious"
    assert not entry.is_symlink()
    assert gzip.decompress(entry.read_bytes()) == data


def test_a_dangling_link_where_a_download_belongs_is_not_written_through(
    tmp_path: Path, dist: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    target = tmp_path / "planted"
    wheel = compress.zopfli_download()
    (cache / wheel.filename).symlink_to(target)
    # The registry is asked again (pip reaches it here), and the file lands in the cache itself.
    assert wheel.matches(build.fetch(wheel, cache))
    assert not target.exists()
    assert not (cache / wheel.filename).is_symlink()


def test_the_app_bundle_is_reproducible() -> None:
    assert build.app_bundle() == build.app_bundle()


def headers_of(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url) as response:
        return {k.lower(): v for k, v in response.headers.items()}


def test_the_local_server_sends_netlify_tomls_headers_and_the_right_types(site: str) -> None:
    page = headers_of(site)
    assert "frame-ancestors 'none'" in page["content-security-policy"]
    assert page["x-frame-options"] == "DENY"
    assert page["cache-control"] == "public, max-age=0, must-revalidate"
    widget = headers_of(site + "widget.html")
    assert widget["content-security-policy"].endswith("frame-ancestors *")
    # The token window may never be framed, and keeps its link to the widget that opened it.
    window = headers_of(site + "token.html")
    assert window["content-security-policy"].endswith("frame-ancestors 'none'")
    assert window["x-frame-options"] == "DENY"
    assert "cross-origin-opener-policy" not in window
    assert page["cross-origin-opener-policy"] == "same-origin"
    runtime = f"{site}pyodide/{build.PYODIDE_VERSION}/"
    wasm = headers_of(runtime + "pyodide.asm.wasm.gz")
    assert wasm["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-security-policy" in wasm
    assert headers_of(runtime + "pyodide.mjs")["content-type"] == "text/javascript"
    assert headers_of(site + "static/main.js")["content-type"] == "text/javascript"


def all_headers_of(url: str) -> list[tuple[str, str]]:
    try:
        with urllib.request.urlopen(url) as response:
            return [(k.lower(), v) for k, v in response.headers.items()]
    except urllib.error.HTTPError as error:
        return [(k.lower(), v) for k, v in error.headers.items()]


def test_every_response_gets_one_policy_and_one_cache_header_under_the_strictest_reading(
    site: str, dist: Path
) -> None:
    """The local server sends every matching rule's headers, as the strictest CDN would."""
    for path in publish.headers.published_paths(dist):
        sent = all_headers_of(site + path.lstrip("/"))
        for name in ("content-security-policy", "cache-control"):
            values = [value for key, value in sent if key == name]
            assert len(values) == 1, f"{path}: {name} sent {len(values)} times: {values}"
        assert not [key for key, _ in sent if key == "strict-transport-security"], path


def status_and_location(url: str) -> tuple[int, str | None]:
    request = urllib.request.Request(url, method="GET")
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(request) as response:
            return response.status, response.headers.get("Location")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# Every address a page can be asked for, and what it must come to (the page's own address).
ADDRESSES: list[tuple[str, str | None]] = [
    ("token", "/token.html"),
    ("token/", "/token.html"),
    ("token.html", "/token.html"),
    ("token.html/", None),  # served by no rule of this server's: 404, no page to frame
    ("token%2Ehtml", "/token.html"),
    ("index", "/"),
    ("index/", "/"),
    ("index.html", "/"),
    ("", "/"),
    ("widget?host=https%3A%2F%2Fblog.example&team=acme", "/widget.html"),
    ("widget/", "/widget.html"),
    ("widget.html", "/widget.html"),
]


def followed(url: str) -> tuple[list[int], list[tuple[str, str]]]:
    """The statuses on the way (redirects followed one hop at a time, at most five), and the
    headers of the last answer."""
    statuses = []
    for _ in range(6):
        request = urllib.request.Request(url)
        try:
            with urllib.request.build_opener(NoRedirects).open(request) as response:
                return [*statuses, response.status], [
                    (k.lower(), v) for k, v in response.headers.items()
                ]
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
            if error.code not in (301, 302, 307, 308):
                return statuses, []
            url = urllib.parse.urljoin(url, error.headers["Location"])
    return statuses, []


@pytest.mark.parametrize("pretty", [False, True], ids=["pretty-urls-off", "pretty-urls-on"])
@pytest.mark.parametrize(("address", "page"), ADDRESSES)
def test_every_address_of_a_page_serves_it_with_exactly_its_headers_under_either_setting(
    site: str, pretty_site: str, address: str, page: str | None, pretty: bool
) -> None:
    """Netlify serves token.html at /token too, and with Pretty URLs on redirects /token.html
    to /token: wherever the page ends up served, it carries its own policy, and nothing loops."""
    base = pretty_site if pretty else site
    statuses, sent = followed(base + address)
    if page is None:
        assert statuses == [404]
        return
    assert statuses[-1] == 200 and len(statuses) <= 2, statuses
    _, intended = followed(site + page.lstrip("/"))
    policy = [(k, v) for k, v in sent if k in ("content-security-policy", "x-frame-options")]
    assert policy == [
        (k, v) for k, v in intended if k in ("content-security-policy", "x-frame-options")
    ]
    assert [k for k, _ in sent].count("content-security-policy") == 1


def test_a_redirect_between_a_pages_addresses_fails_the_build(dist: Path, tmp_path: Path) -> None:
    # netlify.toml's old forced redirect: with Pretty URLs on, /token.html -> /token -> ... loops.
    config = tmp_path / "netlify.toml"
    config.write_text(
        CONFIG.read_text() + '\n[[redirects]]\nfrom = "/token"\nto = "/token.html"\nforce = true\n'
    )
    rules = publish.headers.site_rules(dist)
    with pytest.raises(build.BuildError) as unsafe:
        publish.headers.check_site(dist, rules, publish.headers.redirects_from_toml(config))
    assert "/token: redirects to /token.html, which can loop with Netlify's Pretty URLs" in str(
        unsafe.value
    )


def test_without_the_builds_copies_a_pages_other_address_fails_the_build(dist: Path) -> None:
    rules = publish.headers.from_toml(CONFIG)  # netlify.toml alone, no dist/_headers
    with pytest.raises(build.BuildError) as unsafe:
        publish.headers.check_site(dist, rules, [])
    lines = str(unsafe.value).splitlines()
    for address, page in (("/token", "/token.html"), ("/index", "/"), ("/widget", "/widget.html")):
        assert any(
            line.strip().startswith(f"{address}: serves {page} without its") for line in lines
        ), lines
    # The build's copies are exactly what is missing.
    publish.headers.check_site(dist, rules + publish.headers.page_rules(dist, rules), [])


def rules_for(rules: list[publish.headers.Rule], path: str) -> tuple[tuple[str, str], ...]:
    exact = [rule for rule in rules if rule.path == path]
    return exact[0].values if exact else ()


def test_overlapping_rules_fail_the_build_naming_each_clash(dist: Path, tmp_path: Path) -> None:
    config = tmp_path / "netlify.toml"
    # The shape netlify.toml had: a policy for every path, and the widget's own on top.
    config.write_text(
        '[[headers]]\nfor = "/*"\n[headers.values]\n'
        'Content-Security-Policy = "frame-ancestors \'none\'"\nCache-Control = "max-age=0"\n'
        '[[headers]]\nfor = "/widget.html"\n[headers.values]\n'
        'Content-Security-Policy = "frame-ancestors *"\n'
    )
    rules = publish.headers.from_toml(config) + publish.headers.from_headers_file(dist / "_headers")
    with pytest.raises(build.BuildError) as clash:
        publish.headers.check_site(dist, rules, publish.headers.redirects_from_toml(CONFIG))
    message = str(clash.value)
    assert '/widget.html: content-security-policy is set by "/*"' in message
    assert f"/pyodide/{build.PYODIDE_VERSION}/pyodide.mjs: cache-control is set by" in message
    assert "/static/style.css" not in message  # only real clashes are named


def test_a_missing_runtime_file_is_not_cached_as_immutable(site: str) -> None:
    sent = dict(all_headers_of(f"{site}pyodide/{build.PYODIDE_VERSION}/pyodide.asm.wasm.gz.old"))
    assert "immutable" not in sent.get("cache-control", "")


def test_the_headers_file_is_for_the_cdn_not_for_readers(site: str, dist: Path) -> None:
    assert (dist / "_headers").exists()
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(site + "_headers")
    assert missing.value.code == 404


def test_every_policy_is_the_pages_but_for_where_it_may_be_framed() -> None:
    rules = publish.headers.from_toml(build.ROOT / "netlify.toml")
    policies = {
        rule.path: value
        for rule in rules
        for name, value in rule.values
        if name.lower() == ("content-security-policy")
    }
    page = policies["/"]
    for path, policy in policies.items():
        assert policy.rsplit(";", 1)[0] == page.rsplit(";", 1)[0], path
    assert policies["/widget.html"].endswith("frame-ancestors *")
    assert policies["/"].endswith("frame-ancestors 'none'")


def test_the_local_server_compresses_text_as_netlify_does(site: str) -> None:
    runtime = f"{site}pyodide/{build.PYODIDE_VERSION}/"
    request = urllib.request.Request(
        runtime + "pyodide.asm.mjs", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        etag = response.headers["ETag"]
        assert len(response.read()) < 400_000
    again = urllib.request.Request(
        runtime + "pyodide.asm.mjs", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    with pytest.raises(urllib.error.HTTPError) as unchanged:
        urllib.request.urlopen(again)
    assert unchanged.value.code == 304
    binary = urllib.request.Request(
        runtime + "pyodide.asm.wasm.gz", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(binary) as response:
        assert response.headers["Content-Encoding"] is None


def test_serving_on_a_busy_port_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve(port, build.DIST) == 2
    assert f"port {port} is in use; try --port {port + 1}" in capsys.readouterr().err


# --- the three pages, and the sign-in they offer -------------------------------------------------


def test_the_client_id_is_written_into_every_page_only_when_the_deployer_sets_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = (build.ROOT / "index.html").read_text()
    monkeypatch.setenv(pages.CLIENT_ID_VARIABLE, "  abc123-DEF_456  ")
    client_id = pages.client_id_from_environment()
    assert client_id == "abc123-DEF_456"
    for mode in ("page", "widget", "window"):
        with_id = pages.variant(index, mode, client_id)
        assert '<meta name="netlify-oauth-client-id" content="abc123-DEF_456">' in with_id
        assert "netlify-oauth-client-id" not in pages.variant(index, mode, None)
    monkeypatch.delenv(pages.CLIENT_ID_VARIABLE)
    assert pages.client_id_from_environment() is None


@pytest.mark.parametrize("value", ['abc"><script>', "short", "with space inside"])
def test_a_value_that_is_no_client_id_stops_the_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setenv(pages.CLIENT_ID_VARIABLE, value)
    with pytest.raises(build.BuildError, match="NETLIFY_OAUTH_CLIENT_ID is not"):
        build.build(tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


def test_only_the_widget_lacks_the_token_field_and_only_the_window_is_the_sign_in_return(
    dist: Path,
) -> None:
    index, widget, window = (
        (dist / name).read_text() for name in ("index.html", "widget.html", "token.html")
    )
    assert 'id="token"' in index and 'id="token"' in window
    assert 'id="token"' not in widget
    assert 'data-mode="window"' in window and "Embed this" not in window
    for page in (index, widget, window):
        for marker in ("page-only", "not-widget", "widget-only", "window-only"):
            assert marker not in page


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../../../tmp/outside",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/tmp/outside",
        "/static/..%2f..%2f..%2f..%2f..%2ftmp/outside",
    ],
)
def test_the_local_server_serves_nothing_outside_the_site(site: str, path: str) -> None:
    # The second security review, finding 9: GET /../../tmp/x served /tmp/x.html.
    (Path("/tmp") / "outside.html").write_text("not the site's")
    host, port = site.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path)  # sent as written: http.client normalises nothing
    answer = connection.getresponse()
    assert answer.status == 404
    assert b"not the site's" not in answer.read()
    connection.close()
