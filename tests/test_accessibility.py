"""The page for people using a keyboard, a screen reader, or a dark colour scheme."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.checker_page import CheckerPage
from tests.fake_netlify import TOKEN, FakeNetlify


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_with_results_and_an_error(
    page: Any, site: str, netlify: FakeNetlify, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    checker = CheckerPage(page, site).open()
    checker.check(team="")
    page.locator("details.raw").first.evaluate("(d) => { d.open = true; }")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    checker.fail(token="nfp_wrong")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_whole_check_works_from_the_keyboard(
    page: Any, site: str, netlify: FakeNetlify
) -> None:
    checker = CheckerPage(page, site).open()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.id")
    assert focused == "token" or page.evaluate("() => document.activeElement.tagName") == "A"
    checker.token.focus()
    page.keyboard.type(TOKEN)
    page.keyboard.press("Tab")  # the show/hide toggle
    page.keyboard.press("Tab")  # the tokens link in the help text
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Sign in with Netlify"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "team"
    page.keyboard.type("acme")
    page.keyboard.press("Enter")
    checker.until("() => performance.getEntriesByName('result-shown').length > 0")
    assert "25.3 GiB" in checker.results.inner_text()
    # The team's name comes with its figures (getAccount), and the status says it.
    status = page.get_by_role("status")
    assert status.inner_text() == "Acme Web: 25.3 GiB of 100 GiB used (25.3 %)."


def test_focus_is_visible(page: Any, site: str) -> None:
    CheckerPage(page, site).open(wait_ready=False)
    page.get_by_role("button", name="Check bandwidth").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_axe_notices_a_violation_here(page: Any, site: str) -> None:
    """The scan above is only worth something if axe can run under the page's policy."""
    CheckerPage(page, site).open(wait_ready=False)
    page.evaluate("() => document.querySelector('main').append(document.createElement('input'))")
    assert Axe().run(page).violations_count > 0
