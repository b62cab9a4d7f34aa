"""Shared fixtures: the fake Netlify API, the built site served as Netlify would, and Chromium.

Every browser test runs under the token audit: after the test, the token must have appeared only
in the Authorization header of requests to api.netlify.com.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import trustme

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from publish import serve  # noqa: E402
from publish.headers import site_rules  # noqa: E402
from tests.fake_authorize import CLIENT_ID, FakeAuthorize  # noqa: E402
from tests.fake_netlify import TOKEN, FakeNetlify  # noqa: E402

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
    # The attack the widget must withstand: a host page that takes the focus back whenever its
    # window loses it to the frame, into a field of its own, and logs every key and paste.
    (folder / "hostile.html").write_text(
        '<!doctype html><html lang="en"><title>A hostile post</title>'
        '<script src="hostile.js"></script><h1>My post</h1>'
        f'<script src="{site}embed.js" async></script></html>'
    )
    (folder / "hostile.js").write_text(HOSTILE_SCRIPT)
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
        ' frame.src = new URLSearchParams(location.search).get("src");'
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


HOSTILE_SCRIPT = """
window.__captured = [];
const trap = document.createElement("input");
trap.setAttribute("aria-hidden", "true");
trap.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;opacity:0";
addEventListener("DOMContentLoaded", () => document.body.append(trap));
addEventListener("blur", () => setTimeout(() => trap.focus(), 0));
for (const type of ["keydown", "paste", "input"]) {
  document.addEventListener(type, (event) => {
    const what = type === "paste" ? event.clipboardData.getData("text") : event.key ?? trap.value;
    window.__captured.push(`${type}:${what}`);
  }, true);
}
"""


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


def framing(blog: str, address: str) -> str:
    """A post on the blog that frames `address`, and steals focus and logs keys as it does."""
    return blog + "framing-hostile.html?src=" + quote(address, safe="")


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


# --- the token audit ----------------------------------------------------------------------------

# Every message a window receives, with its sender's origin, recorded before the page's own
# scripts run. Recorded where it arrives, not by wrapping postMessage: a wrapper would make a
# message that the token window sends to the widget look as if the widget had sent it itself.
RECORD_MESSAGES = """
(() => {
  const received = [];
  const violations = [];
  Object.defineProperty(window, "__receivedMessages", { value: received });
  Object.defineProperty(window, "__policyViolations", { value: violations });
  document.addEventListener("securitypolicyviolation", (event) => {
    violations.push(`${event.effectiveDirective} blocked ${event.blockedURI}`);
  });
  addEventListener("message", (event) => {
    let data;
    try {
      data = JSON.stringify(event.data);
    } catch {
      data = String(event.data);
    }
    received.push([event.origin, data]);
  }, true);
})();
"""


# Where a page keeps things a script could read back: the token must be in none of them. The one
# message that may carry it goes from the checker's own window to the checker's own frame.
FIND_TOKEN = """async ([token, checker]) => {
  const where = [];
  if (document.documentElement.outerHTML.includes(token)) where.push("DOM");
  if (document.body.innerText.includes(token)) where.push("page text");
  // A frame of another site may be refused its storage: what it cannot write holds nothing.
  const readable = (read) => {
    try {
      return read();
    } catch {
      return null;
    }
  };
  for (const store of [readable(() => localStorage), readable(() => sessionStorage)]) {
    for (let i = 0; i < (store?.length ?? 0); i++) {
      const key = store.key(i);
      if ((key + store.getItem(key)).includes(token)) where.push("web storage");
    }
  }
  if (readable(() => document.cookie)?.includes(token)) where.push("cookie");
  for (const name of await caches.keys().catch(() => [])) {
    const kept = await (await caches.open(name)).keys();
    if (kept.some((request) => request.url.includes(token))) {
      where.push("Cache Storage");
    }
  }
  const ours = (origin) => origin === checker && location.origin === checker;
  const received = window.__receivedMessages || [];
  if (received.some(([origin, data]) => data.includes(token) && !ours(origin))) {
    where.push("window.postMessage");
  }
  return where;
}
"""


@dataclass
class Audit:
    """What left the page during a test, to check where the token went."""

    site: str
    host: str | None = None
    # Other origins a test serves the checker from, such as a deliberately broken copy.
    also: list[str] = field(default_factory=list)
    token: str = TOKEN
    # Tests that try to break the policy on purpose expect it to complain.
    allow_violations: bool = False
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def record(self, request: Any) -> None:
        self.requests.append((request.url, request.headers))
        if request.post_data_buffer:
            self.bodies.append(request.post_data_buffer.decode("latin-1"))

    def check(self, pages: list[Any]) -> None:
        leaks = []
        allowed = [urlsplit(self.site).netloc, "api.netlify.com", "app.netlify.com"]
        allowed += [urlsplit(origin).netloc for origin in self.also]
        if self.host:
            allowed.append(urlsplit(self.host).netloc)
        for url, _ in self.requests:
            parts = urlsplit(url)
            # A test that attacks the policy proves the blocking by the violations it reports.
            if self.allow_violations:
                break
            if parts.scheme not in ("data", "blob") and parts.netloc not in allowed:
                leaks.append(
                    f"(a third-party origin was contacted: {parts.scheme}://{parts.netloc})"
                )
        for url, headers in self.requests:
            if self.token in url:
                leaks.append(f"in a URL: {url.replace(self.token, '<TOKEN>')}")
            for name, value in headers.items():
                if self.token not in value:
                    continue
                host = urlsplit(url).hostname
                if name.lower() != "authorization" or host != "api.netlify.com":
                    leaks.append(f"in header {name} of a request to {host}")
        leaks += [f"in the console: {line!r}" for line in self.console if self.token in line]
        leaks += ["in a request body" for body in self.bodies if self.token in body]
        for page in pages:
            if page.is_closed():
                continue
            found = page.evaluate(FIND_TOKEN, [self.token, origin_of(self.site)])
            leaks += [f"in the {where}" for where in found]
        assert not leaks, "the token leaked: " + "; ".join(leaks)
        if not self.allow_violations:
            for page in pages:
                if not page.is_closed():
                    violations = page.evaluate("() => window.__policyViolations || []")
                    assert not violations, f"the page broke its own policy: {violations}"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@contextmanager
def audited_context(
    browser: Any, site: str, *, host: str | None = None, **options: Any
) -> Iterator[Any]:
    """A fresh browser context whose traffic and traces are audited for the token when it closes.

    `host` is the origin of a page that embeds the checker, which may be contacted too.
    """
    ctx = browser.new_context(ignore_https_errors=True, **options)
    ctx.add_init_script(RECORD_MESSAGES)
    audit = Audit(site=site, host=host)
    ctx._test_audit = audit
    ctx.on("request", audit.record)
    ctx.on("console", lambda message: audit.console.append(message.text))
    yield ctx
    pages = list(ctx.pages)
    try:
        audit.check(pages)
    finally:
        ctx.close()


@pytest.fixture
def context(browser: Any, site: str) -> Iterator[Any]:
    with audited_context(browser, site) as ctx:
        yield ctx


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()
