"""The token audit that every browser test runs under must itself catch leaks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.audit import audited_context
from tests.checker_page import CheckerPage
from tests.fake_netlify import TOKEN, FakeNetlify


def test_the_audit_sees_the_workers_request_to_netlify(
    browser: Any, site: str, netlify: FakeNetlify
) -> None:
    with audited_context(browser, site) as ctx:
        checker = CheckerPage(ctx.new_page(), site).open()
        checker.check(team="acme")
        seen = [headers for url, headers in ctx_requests(ctx) if "api.netlify.com" in url]
        assert any(h.get("authorization") == f"Bearer {TOKEN}" for h in seen)


def ctx_requests(ctx: Any) -> list[tuple[str, dict[str, str]]]:
    return ctx._test_audit.requests  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("leak", "caught"),
    [
        (f"location.hash = 'x'; fetch('/?token={TOKEN}')", "in a URL"),
        (f"console.log('token: {TOKEN}')", "in the console"),
        (f"localStorage.setItem('t', '{TOKEN}')", "web storage"),
        (f"document.body.append('{TOKEN}')", "page text"),
        (
            f"caches.open('c').then((c) => c.put('/?t={TOKEN}', new Response('')))",
            "Cache Storage",
        ),
    ],
)
def test_the_audit_catches_a_leak(browser: Any, site: str, leak: str, caught: str) -> None:
    with pytest.raises(AssertionError, match=caught), audited_context(browser, site) as ctx:
        page = ctx.new_page()
        page.goto(site)
        page.evaluate(f"() => {{ {leak} }}")
        page.wait_for_timeout(300)


def test_the_audit_catches_a_token_that_a_page_of_another_origin_receives(
    browser: Any, site: str, blog: str
) -> None:
    with (
        pytest.raises(AssertionError, match=r"window\.postMessage"),
        audited_context(browser, site, host=blog) as ctx,
    ):
        page = ctx.new_page()
        page.goto(blog + "post.html")
        # As a widget would leak it to the blog: a message the blog's window receives.
        page.evaluate(f"() => window.postMessage({{t: '{TOKEN}'}}, '*')")
        page.wait_for_timeout(300)
