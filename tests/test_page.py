"""The page in a real Chromium, against the built dist/ and the fake Netlify API over HTTPS."""

from __future__ import annotations

from typing import Any

from tests.checker_page import CheckerPage
from tests.fake_netlify import FakeNetlify


def test_a_check_shows_used_included_remaining_in_gib(
    page: Any, site: str, netlify: FakeNetlify
) -> None:
    checker = CheckerPage(page, site).open()
    text = checker.check(team="acme")
    assert "25.3 GiB" in text
    assert "100 GiB" in text
    assert "74.7 GiB" in text
    assert "25.3 %" in text
    [request] = netlify.api_requests()
    assert request.path == "/api/v1/accounts/acme/bandwidth"


def test_screenshots(page: Any, site: str, netlify: FakeNetlify) -> None:
    from tests.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    checker = CheckerPage(page, site).open()
    checker.check(team="")
    for width in (375, 1280):
        for scheme in ("light", "dark"):
            page.set_viewport_size({"width": width, "height": 1400})
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=str(ARTIFACTS / f"page-{width}-{scheme}.png"), full_page=True)
