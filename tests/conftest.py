"""Shared fixtures: the fake Netlify API, the built site served as Netlify would, the blog
that embeds it, and Chromium. Every browser test runs under the token audit (tests/audit.py).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import trustme
from hypothesis import HealthCheck, settings

# A test must not fail because the machine is slow or busy: no deadline, no `too_slow` health
# check, and a fixed number of examples, whatever the machine.
settings.register_profile(
    "suite", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("suite")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from publish import serve  # noqa: E402
from publish.headers import site_rules  # noqa: E402
from tests.audit import (  # noqa: E402, F401 - context and page: fixtures for every test
    SCRIPTS,
    audited_context,
    context,
    origin_of,
    page,
)
from tests.checker_page import CheckerPage  # noqa: E402
from tests.connect_proxy import ConnectProxy  # noqa: E402
from tests.engines import ENGINES, Driver, launch, missing  # noqa: E402
from tests.fake_authorize import CLIENT_ID, FakeAuthorize  # noqa: E402
from tests.fake_netlify import TOKEN, FakeNetlify  # noqa: E402
from tests.journeys import kept_by_page  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def netlify_server(ca: trustme.CA) -> Iterator[FakeNetlify]:
    server = FakeNetlify(ca)
    yield server
    server.close()


@pytest.fixture
def netlify(netlify_server: FakeNetlify) -> Iterator[FakeNetlify]:
    netlify_server.reset()
    yield netlify_server
    netlify_server.reset()


@pytest.fixture(scope="session")
def authorize_server(ca: trustme.CA) -> Iterator[FakeAuthorize]:
    server = FakeAuthorize(ca)
    yield server
    server.close()


@pytest.fixture
def authorize(authorize_server: FakeAuthorize, site: str) -> Iterator[FakeAuthorize]:
    """Netlify's authorization page, for the OAuth application registered for `site`."""
    authorize_server.reset()
    authorize_server.redirect_uris = {site + "token.html"}
    yield authorize_server
    authorize_server.reset()


@pytest.fixture(scope="session")
def dist() -> Path:
    """The site as `python3 build.py` makes it, built once per session, for a deployer who set
    NETLIFY_OAUTH_CLIENT_ID."""
    return build.build(oauth_client_id=CLIENT_ID)


@pytest.fixture(scope="session")
def site_log() -> list[str]:
    """The path of every request the site server answered, in order."""
    return []


@pytest.fixture(scope="session")
def site(dist: Path, site_log: list[str]) -> Iterator[str]:
    server = serve.make_server(0, dist, served=site_log)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def pretty_site(dist: Path) -> Iterator[str]:
    """The site as Netlify serves it with its Pretty URLs setting on: /token.html redirects to
    /token, /index.html to /."""
    server = serve.make_server(0, dist, pretty_urls=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def blog(site: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A blog post on http://localhost (the checker is on 127.0.0.1): another origin."""
    folder = tmp_path_factory.mktemp("blog")
    (folder / "post.html").write_text(
        '<!doctype html><html lang="en"><title>A post</title>'
        # What the host page receives, for engines whose drivers cannot inject a script first.
        "<script>window.__messages = []; addEventListener('message', (e) =>"
        " window.__messages.push([e.origin, JSON.stringify(e.data)]));</script>"
        "<h1>My post</h1>"
        f'<script src="{site}embed.js" async data-team="acme"></script>'
        "<p>The end.</p></html>"
    )
    # The attack the widget must withstand (tests/scripts/hostile.js).
    (folder / "hostile.html").write_text(
        '<!doctype html><html lang="en"><title>A hostile post</title>'
        '<script src="hostile.js"></script><h1>My post</h1>'
        f'<script src="{site}embed.js" async></script></html>'
    )
    shutil.copy(SCRIPTS / "hostile.js", folder / "hostile.js")
    # A frame that may not open windows, as a strict pop-up blocker leaves it.
    (folder / "no-popups.html").write_text(
        '<!doctype html><html lang="en"><title>No pop-ups</title>'
        '<iframe title="Netlify bandwidth checker"'
        ' sandbox="allow-scripts allow-same-origin allow-forms"'
        f' src="{site}widget.html" width="100%" height="600"></iframe></html>'
    )
    # Any address of any site, framed by a host that steals focus and logs keys: ?src=<address>.
    (folder / "framing-hostile.html").write_text(
        '<!doctype html><html lang="en"><title>A hostile post</title>'
        '<script src="hostile.js"></script><script src="frame-src.js"></script>'
        "<h1>My post</h1></html>"
    )
    (folder / "frame-src.js").write_text(
        'addEventListener("DOMContentLoaded", () => {'
        ' const frame = document.createElement("iframe");'
        ' frame.title = "Framed"; frame.width = "100%"; frame.height = "500";'
        " const asked = new URLSearchParams(location.search);"
        ' frame.src = asked.get("src");'
        # A frame that may run no script at all: the page's own defence cannot run there.
        ' if (asked.has("sandbox")) frame.setAttribute("sandbox", asked.get("sandbox"));'
        " document.body.append(frame); });"
    )
    for name, framed in (("framed.html", site), ("framed-window.html", site + "token.html")):
        (folder / name).write_text(
            f'<!doctype html><html lang="en"><title>Framing</title><iframe src="{framed}"></iframe>'
        )
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(folder))
    )
    server.RequestHandlerClass.log_message = lambda *args: None  # type: ignore[method-assign]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_port}/"
    server.shutdown()
    server.server_close()


@contextmanager
def served_copy(copy: Path, **handler: Any) -> Iterator[str]:
    """A copy of dist/, changed by a test, served with netlify.toml's headers as the site is;
    `handler` overrides the local server's handler attributes (its MIME types, say)."""
    site_handler = type("Copy", (serve.SiteHandler,), {"rules": site_rules(copy), **handler})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(site_handler, directory=str(copy)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def naked_site(dist: Path) -> Iterator[str]:
    """dist/ as a host would serve it that drops every header and redirect of netlify.toml."""
    with served_copy(dist, rules=[], redirects=[]) as url:
        yield url


def framing(blog: str, address: str, sandbox: str | None = None) -> str:
    """A post on the blog that frames `address`, and steals focus and logs keys as it does;
    with `sandbox`, the frame has that sandbox attribute ("" lets it run no script)."""
    url = blog + "framing-hostile.html?src=" + quote(address, safe="")
    return url if sandbox is None else url + "&sandbox=" + quote(sandbox)


@pytest.fixture
def broken_site(dist: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """dist/ served with the runtime missing, cut short, or served as the wrong type."""
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    [wasm] = (copy / "pyodide" / build.PYODIDE_VERSION).glob("*.wasm.gz")
    extensions = dict(serve.SiteHandler.extensions_map)
    if request.param == "missing":
        wasm.unlink()
    elif request.param == "truncated":
        wasm.write_bytes(wasm.read_bytes()[: wasm.stat().st_size // 2])
    else:
        extensions[".gz"] = "text/plain"
        extensions[".zip"] = "text/html"
    with served_copy(copy, extensions_map=extensions) as url:
        yield url


def chromium_executable() -> str | None:
    """Playwright's own Chromium where it was installed, else the system's."""
    override = os.environ.get("CHROMIUM")
    if override:
        return override
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        own = playwright.chromium.executable_path
    if own and Path(own).exists():
        return own
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("No Chromium found: run the README's test command, which installs it.")


CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
]


@pytest.fixture(scope="session")
def chromium(netlify_server: FakeNetlify, authorize_server: FakeAuthorize) -> dict[str, Any]:
    """How to launch Chromium: the executable, and the arguments that make the fake Netlify
    API answer as api.netlify.com and the fake authorization page as app.netlify.com."""
    rules = [
        f"MAP api.netlify.com 127.0.0.1:{netlify_server.port}",
        f"MAP app.netlify.com 127.0.0.1:{authorize_server.port}",
    ]
    return {
        "executable_path": chromium_executable(),
        "args": [*CHROMIUM_ARGS, f"--host-resolver-rules={', '.join(rules)}"],
        "chromium_sandbox": False,
    }


@pytest.fixture(scope="session")
def browser(chromium: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**chromium)
        yield launched
        launched.close()


# The page most Chromium checks share, one per test module (Python loads once, as it does for a
# person checking several times), with the units set back to GiB for each test.
@pytest.fixture(scope="module")
def shared(browser: Any, site: str) -> Iterator[CheckerPage]:
    with audited_context(browser, site) as ctx:
        yield CheckerPage(ctx.new_page(), site).open()


@pytest.fixture
def checker(shared: CheckerPage, netlify: FakeNetlify) -> CheckerPage:
    shared.page.get_by_role("radio", name="GiB (as Netlify counts)").check()
    return shared


# --- the journeys in every engine (tests/journeys.py) -------------------------------------------


@pytest.fixture(scope="session")
def proxy(netlify_server: FakeNetlify, authorize_server: FakeAuthorize) -> Iterator[ConnectProxy]:
    tunnel = ConnectProxy(
        {"api.netlify.com": netlify_server.port, "app.netlify.com": authorize_server.port}
    )
    yield tunnel
    tunnel.close()


@pytest.fixture(scope="module", params=ENGINES)
def driver(
    request: pytest.FixtureRequest, proxy: ConnectProxy, site: str, blog: str
) -> Iterator[Driver]:
    engine = request.param
    why = missing(engine)
    if why:
        # CI installs every engine, so there a missing one is a failure, never a quiet skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{engine}: {why}")
    with ExitStack() as stack:
        context = None
        if engine == "chromium":
            context = stack.enter_context(
                audited_context(request.getfixturevalue("browser"), site, host=blog)
            )
        launched = launch(engine, proxy_port=proxy.port, chromium=context)
        stack.callback(launched.quit)
        yield launched


@pytest.fixture
def token_audit(
    driver: Driver, proxy: ConnectProxy, netlify: FakeNetlify, site_log: list[str], site: str
) -> Iterator[None]:
    proxy.reset()
    site_log.clear()
    yield
    leaks = [f"the proxy was asked for {host}" for host in proxy.refused]
    leaks += [
        f"a tunnel to {host}"
        for host in proxy.tunnelled
        if host not in ("api.netlify.com", "app.netlify.com")
    ]
    for seen in netlify.requests:
        if TOKEN in seen.path:
            leaks.append(f"in the API's URL {seen.path}")
        leaks += [
            f"in the {name} header to the API"
            for name, value in seen.headers.items()
            if TOKEN in value and name != "authorization"
        ]
    leaks += [f"in a URL of the site: {path}" for path in site_log if TOKEN in path]
    leaks += [f"in the page's {where}" for where in kept_by_page(driver, origin_of(site))]
    assert not leaks, f"{driver.name}: the token leaked: " + "; ".join(leaks)
    # Playwright sees every request Chromium makes, the console included.
    if driver.name == "chromium":
        context = driver.context  # type: ignore[attr-defined]
        context._test_audit.check(context.pages)
        context._test_audit.requests.clear()
