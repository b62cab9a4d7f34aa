"""The token audit: every browser test runs under it.

After the test, the token must have appeared only in the Authorization header of requests to
api.netlify.com, never in a URL, a request body, the console, a message to another origin, web
storage, cookies, Cache Storage or the page itself; and the page must not have broken its own
policy. The `context` and `page` fixtures give a test an audited browser context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.fake_netlify import TOKEN

SCRIPTS = Path(__file__).resolve().parent / "scripts"
RECORD_MESSAGES = (SCRIPTS / "record-messages.js").read_text()


FIND_TOKEN = (SCRIPTS / "find-token.js").read_text()


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
