"""The site as it is served: netlify.toml's headers at every address of every page under either
Pretty URLs setting, rules that never overlap, and a local server that acts like Netlify."""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import build
import publish.headers
from publish.downloads import BuildError
from publish.headers import CONFIG
from publish.serve import serve
from tests import netlify_build


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
    # Netlify matches rules before decoding: at an escaped address a page would carry no rule,
    # so the local server serves nothing there (check-deploy asks a live site what it does).
    ("token%2Ehtml", None),
    ("%74oken", None),
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


# --- Netlify's own headers parser (@netlify/headers-parser, pinned in tests/netlify_build/) ----


@pytest.fixture(scope="module")
def netlifys_parser() -> None:
    try:
        netlify_build.runner()
    except netlify_build.Unreachable as reason:
        pytest.skip(f"Netlify's headers parser could not be installed: {reason}")


def test_netlifys_own_parser_reads_every_rule_and_matches_every_path_as_the_build_does(
    netlifys_parser: None, dist: Path
) -> None:
    rules = publish.headers.site_rules(dist)
    asked = [
        *publish.headers.published_paths(dist),
        *publish.headers.page_addresses(dist),
        # Where Netlify's matcher and a naive one part: a standalone "*" makes its slash
        # optional, a trailing slash and case do not count, and nothing is decoded first.
        "/static",
        "/staticfoo",
        "/pyodide",
        "/TOKEN.HTML/",
        "/widget/",
        "//",
        "/%74oken",
        "/token%2Ehtml",
    ]
    parsed = netlify_build.headers(CONFIG, dist / publish.headers.HEADERS_FILE, asked)
    assert parsed["errors"] == []
    # As `netlify dev` would send them: Node.js refused the multi-line policies.
    assert parsed["unsendable"] == []
    theirs = {(rule["for"], tuple(sorted(rule["values"].items()))) for rule in parsed["rules"]}
    assert {(rule.path, tuple(sorted(rule.values))) for rule in rules} == theirs
    matched = {path: sorted(rule.path for rule in rules if rule.matches(path)) for path in asked}
    assert matched == {path: sorted(found) for path, found in parsed["matches"].items()}
    assert "/static/*" in matched["/static"] and matched["/%74oken"] == ["/*"]


def test_every_header_value_is_one_line_as_node_will_send_it(dist: Path, tmp_path: Path) -> None:
    # netlify dev and netlify serve crashed on the line breaks of a multi-line policy.
    for rule in publish.headers.site_rules(dist):
        for name, value in rule.values:
            assert "\n" not in value and "  " not in value, (rule.path, name)
    broken = tmp_path / "multi-line.toml"
    broken.write_text('[[headers]]\n  for = "/x"\n  [headers.values]\n    A = """\n  b;\n  c"""\n')
    with pytest.raises(BuildError, match="spans lines"):
        publish.headers.check_site(dist, publish.headers.from_toml(broken), [])


def test_netlify_dev_serves_the_built_site_with_its_headers(
    netlifys_parser: None, dist: Path, tmp_path: Path
) -> None:
    # It crashed on the first request while a policy spanned lines (ERR_INVALID_CHAR).
    with netlify_build.netlify_dev(tmp_path, dist) as served:
        for address, page in [
            ("/", "/"),
            ("/token.html", "/token.html"),
            ("/token", "/token.html"),
            ("/widget", "/widget.html"),
            ("/static/main.js", "/static/main.js"),
        ]:
            with urllib.request.urlopen(served + address, timeout=30) as answer:
                assert answer.status == 200, address
                policies = answer.headers.get_all("Content-Security-Policy")
            intended = dict(publish.headers.sent_for(page, publish.headers.site_rules(dist)))
            assert policies == [intended["Content-Security-Policy"]], address
