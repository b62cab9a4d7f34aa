"""Signing in with Netlify, and the widget's token taken in the checker's own window.

The fake authorization page answers as app.netlify.com. Every test runs under the token audit,
which allows the token in one message only: from the checker's window to the checker's frame.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from publish import pages
from tests.audit import audited_context
from tests.checker_page import (
    READY_TIMEOUT_MS,
    CheckerPage,
    closes_with,
    open_token_window,
    token_from_window,
)
from tests.conftest import ROOT, served_copy
from tests.fake_authorize import CLIENT_ID, FakeAuthorize
from tests.fake_netlify import TOKEN, FakeNetlify

SIGN_IN = "Sign in with Netlify"
FORGED = "nfo_forgedTOKENfromSomeoneElse0123456789"


def results_shown(page: Any) -> None:
    CheckerPage(page, page.url).wait_result(timeout_ms=READY_TIMEOUT_MS)


def alert_shown(page: Any) -> str:
    return CheckerPage(page, page.url).alerted()


def sent_to_authorize(authorize: FakeAuthorize) -> dict[str, str]:
    [asked] = authorize.asked
    return {name: values[0] for name, values in parse_qs(urlsplit(asked.path).query).items()}


def test_signing_in_checks_every_team_and_leaves_no_token_in_the_address_or_history(
    page: Any, site: str, netlify: FakeNetlify, authorize: FakeAuthorize
) -> None:
    CheckerPage(page, site).open(wait_ready=False)
    page.get_by_role("button", name=SIGN_IN).click()
    results_shown(page)
    assert page.get_by_role("status").inner_text() == "Checked 3 teams: 1 over the allowance."
    assert page.get_by_text("Signed in with Netlify").is_visible()
    assert page.get_by_label("Personal access token").input_value() == ""
    asked = sent_to_authorize(authorize)
    assert asked["client_id"] == CLIENT_ID
    assert asked["response_type"] == "token"
    assert asked["redirect_uri"] == site + "token.html"
    assert len(asked["state"]) >= 40  # 32 random bytes
    assert not any(TOKEN in a.path or TOKEN in str(a.headers) for a in authorize.asked)
    assert {r.headers["authorization"] for r in netlify.api_requests()} == {f"Bearer {TOKEN}"}

    # The answer's fragment left the address at once, and with it the history entry.
    assert page.url == site + "token.html"
    assert page.evaluate("() => location.hash") == ""
    page.go_back()
    assert page.url == site
    page.go_forward()
    assert page.url == site + "token.html"
    CheckerPage(page, page.url).wait_ready()
    assert not page.get_by_text("Signed in with Netlify").is_visible()

    # A reload holds no token: nothing is checked, and nobody is signed in.
    netlify.requests.clear()
    page.reload()
    CheckerPage(page, page.url).wait_ready()
    page.wait_for_timeout(300)
    assert netlify.api_requests() == []
    assert not page.get_by_text("Signed in with Netlify").is_visible()
    assert page.get_by_role("region", name="Results").inner_text() == ""


def test_the_team_typed_before_signing_in_is_the_one_checked(
    page: Any, site: str, netlify: FakeNetlify, authorize: FakeAuthorize
) -> None:
    CheckerPage(page, site).open(wait_ready=False)
    page.get_by_label("Team slug").fill("acme")
    page.get_by_label("GB", exact=True).check()
    page.get_by_role("button", name=SIGN_IN).click()
    results_shown(page)
    assert page.get_by_label("Team slug").input_value() == "acme"
    assert "27.2 GB of 107 GB used" in page.get_by_role("status").inner_text()
    # The state the attempt kept is gone with the answer.
    assert page.evaluate("() => sessionStorage.length") == 0


def test_declining_says_so_and_checks_nothing(
    page: Any, site: str, netlify: FakeNetlify, authorize: FakeAuthorize
) -> None:
    authorize.decision = "decline"
    CheckerPage(page, site).open(wait_ready=False)
    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(site + "token.html")
    assert "You declined to let the checker read your Netlify account" in alert_shown(page)
    assert netlify.api_requests() == []
    # Pasting a token still works, in the same page.
    assert "25.3 GiB" in CheckerPage(page, page.url).check(team="acme")


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"error": "server_error"}, "Netlify did not sign you in (server_error)."),
        ({"error": "<b>odd</b>"}, "Netlify did not sign you in (an unknown error)."),
        ({"access_token": TOKEN, "token_type": "mac"}, "held no usable token"),
        ({"access_token": "", "token_type": "Bearer"}, "held no usable token"),
    ],
)
def test_an_answer_of_an_odd_shape_is_explained_and_nothing_is_sent(
    page: Any,
    site: str,
    netlify: FakeNetlify,
    authorize: FakeAuthorize,
    fields: dict[str, str],
    said: str,
) -> None:
    authorize.fields = fields
    CheckerPage(page, site).open(wait_ready=False)
    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(site + "token.html")
    assert said in alert_shown(page)
    assert page.evaluate("() => location.hash") == ""
    CheckerPage(page, page.url).wait_ready()
    page.wait_for_timeout(300)
    assert netlify.requests == []


@pytest.mark.parametrize("state", ["&state=not-the-one-started-here", ""])
def test_a_forged_answer_is_refused_and_its_token_never_sent(
    page: Any, site: str, netlify: FakeNetlify, authorize: FakeAuthorize, state: str
) -> None:
    # A sign-in under way (the reader is on Netlify's page), then a link arrives with a token.
    authorize.decision = "consent"
    CheckerPage(page, site).open(wait_ready=False)
    page.get_by_role("button", name=SIGN_IN).click()
    page.get_by_role("link", name="Authorize").wait_for()
    page.goto(f"{site}token.html#access_token={FORGED}&token_type=Bearer{state}")
    assert "not from a sign-in started here" in alert_shown(page)
    assert page.evaluate("() => location.hash") == ""
    CheckerPage(page, page.url).wait_ready()
    page.wait_for_timeout(300)
    assert netlify.requests == []
    assert FORGED not in page.content()
    audit = page.context._test_audit
    assert not [url for url, _ in audit.requests if FORGED in url and "#" not in url]


def test_an_answer_arriving_in_the_fragment_alone_is_refused_too(
    page: Any, site: str, netlify: FakeNetlify
) -> None:
    checker = CheckerPage(page, site + "token.html").open()
    page.evaluate(
        "(t) => { location.hash = `access_token=${t}&token_type=Bearer&state=x`; }", FORGED
    )
    assert "not from a sign-in started here" in alert_shown(page)
    assert page.evaluate("() => location.hash") == ""
    page.wait_for_timeout(300)
    assert netlify.requests == []
    assert "25.3 GiB" in checker.check(team="acme")


def test_without_a_client_id_there_is_no_sign_in(
    browser: Any, dist: Path, tmp_path: Path, netlify: FakeNetlify
) -> None:
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    pages.write(copy, (ROOT / "index.html").read_text(), client_id=None)
    with served_copy(copy) as url, audited_context(browser, url) as ctx:
        checker = CheckerPage(ctx.new_page(), url).open()
        assert checker.page.get_by_role("button", name=SIGN_IN).count() == 0
        assert "25.3 GiB" in checker.check(team="acme")


# --- the widget: its token comes from the checker's own window ----------------------------------


@pytest.fixture
def post(browser: Any, site: str, blog: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A blog post that embeds the widget; the parameter names the post, "post" by default."""
    with audited_context(browser, site, host=blog) as ctx:
        ctx.grant_permissions(["clipboard-read", "clipboard-write"])
        page = ctx.new_page()
        page.goto(blog + getattr(request, "param", "post") + ".html")
        page.frame_locator("iframe").get_by_text("Python loads as soon as you start").wait_for()
        yield page


def widget_headline(post: Any) -> str:
    headline = post.frame_locator("iframe").locator(".headline").first
    headline.wait_for(timeout=READY_TIMEOUT_MS)
    return str(headline.inner_text())


def test_the_widget_has_no_token_field_and_takes_the_token_from_its_own_window(
    post: Any, site: str, netlify: FakeNetlify
) -> None:
    widget = post.frame_locator("iframe")
    assert widget.get_by_label("Personal access token").count() == 0
    button = widget.get_by_role("button", name="Check bandwidth")
    assert "opens a small window of the checker's own" in button.evaluate(
        "(b) => document.getElementById(b.getAttribute('aria-describedby')).textContent"
    )
    window = open_token_window(post, site)
    # Only the token is asked for there: the widget has the team and the units.
    assert not window.get_by_label("Team slug").is_visible()
    window.get_by_label("Personal access token").fill(TOKEN)
    closes_with(window, lambda: window.get_by_role("button", name="Check bandwidth").click())
    assert "25.3 GiB of 100 GiB used" in widget_headline(post)
    # The chart too, its code loaded with Python (the widget's idle budget has no room for it).
    chart = widget.get_by_role("img", name="25.3 GiB of 100 GiB used with")
    assert chart.locator("polyline.used").count() == 1
    [request] = netlify.bandwidth_requests()
    assert request.path.endswith("/accounts/acme/bandwidth")  # the widget's data-team
    # Refresh uses the token the widget holds, with no window.
    pages = len(post.context.pages)
    widget.get_by_role("button", name="Refresh").click()
    widget.get_by_text("Unchanged since the last check").wait_for()
    assert len(netlify.bandwidth_requests()) == 2
    assert len(post.context.pages) == pages


def test_the_window_asks_for_a_token_before_it_hands_anything_over(
    post: Any, site: str, netlify: FakeNetlify
) -> None:
    window = open_token_window(post, site)
    assert window.evaluate("() => document.activeElement.id") == "token"
    window.get_by_role("button", name="Check bandwidth").click()
    assert "Paste a personal access token first" in window.get_by_role("alert").inner_text()
    assert not window.is_closed()
    # Python waits meanwhile, and the widget keeps asking for the token in that window.
    widget = post.frame_locator("iframe")
    post.wait_for_timeout(300)
    assert "paste your token in the checker's window" in widget.get_by_role("status").inner_text()
    window.close()
    widget.get_by_text("The token window closed without a token.").wait_for()
    # Python, still loading when the window closed, does not cover that line with "Ready.".
    frame = post.frames[1]
    while not frame.evaluate("() => performance.getEntriesByName('python-ready').length"):
        post.wait_for_timeout(100)
    assert "closed without a token" in widget.get_by_role("status").inner_text()
    assert netlify.requests == []


def test_a_refused_token_from_the_window_is_not_kept(post: Any, site: str) -> None:
    token_from_window(post, site, token="nfp_revoked_token_123")
    widget = post.frame_locator("iframe")
    alert = widget.get_by_role("alert")
    alert.get_by_text("rejected this token").wait_for(timeout=READY_TIMEOUT_MS)
    # The next press asks for a token again, in a fresh window.
    token_from_window(post, site)
    assert "25.3 GiB of 100 GiB used" in widget_headline(post)
    assert alert.inner_text() == ""


def test_signing_in_from_the_widgets_window(
    post: Any, site: str, netlify: FakeNetlify, authorize: FakeAuthorize
) -> None:
    window = open_token_window(post, site)
    with window.expect_event("close", timeout=READY_TIMEOUT_MS):
        window.get_by_role("button", name=SIGN_IN).click()
    assert "25.3 GiB of 100 GiB used" in widget_headline(post)
    assert sent_to_authorize(authorize)["redirect_uri"] == site + "token.html"


def test_a_window_that_loses_its_widget_checks_in_place(
    post: Any, site: str, netlify: FakeNetlify, authorize: FakeAuthorize
) -> None:
    """A sign-in page whose Cross-Origin-Opener-Policy cuts the window's link to the widget."""
    authorize.decision = "consent"
    authorize.opener_policy = "same-origin"
    window = open_token_window(post, site)
    window.get_by_role("button", name=SIGN_IN).click()
    window.get_by_role("link", name="Authorize").click()
    results_shown(window)
    assert "Checked 3 teams" in window.get_by_role("status").inner_text()
    assert post.frame_locator("iframe").locator(".headline").count() == 0


def test_a_window_whose_widget_is_gone_checks_in_place_instead_of_losing_the_token(
    post: Any, site: str, netlify: FakeNetlify
) -> None:
    window = open_token_window(post, site)
    post.evaluate("() => document.querySelector('iframe').remove()")
    window.get_by_label("Personal access token").fill(TOKEN)
    window.get_by_role("button", name="Check bandwidth").click()
    results_shown(window)
    assert not window.is_closed()
    assert window.get_by_role("status").inner_text() == "Checked 3 teams: 1 over the allowance."
    assert window.get_by_label("Team slug").is_visible()


@pytest.mark.parametrize("post", ["hostile"], indirect=True)
def test_a_host_page_that_steals_focus_captures_nothing_of_the_token(
    post: Any, site: str, netlify: FakeNetlify
) -> None:
    widget = post.frame_locator("iframe")
    # The attack is real: what a reader types into the frame itself lands in the host's field.
    widget.get_by_label("Team slug").click()
    post.keyboard.type("side")
    assert "keydown:s" in post.evaluate("() => window.__captured")
    widget.get_by_label("Team slug").fill("acme")
    post.evaluate("() => window.__captured.length = 0")

    # Typed, key by key, then pasted, in the checker's window.
    window = open_token_window(post, site)
    field = window.get_by_label("Personal access token")
    field.click()
    window.keyboard.type(TOKEN[:20])
    window.evaluate("(rest) => navigator.clipboard.writeText(rest)", TOKEN[20:])
    window.keyboard.press("ControlOrMeta+V")
    assert field.input_value() == TOKEN
    closes_with(window, lambda: field.press("Enter"))
    assert "25.3 GiB of 100 GiB used" in widget_headline(post)
    captured = post.evaluate("() => window.__captured")
    assert captured == [], f"the host page saw {captured}"


@pytest.mark.parametrize("post", ["no-popups"], indirect=True)
def test_a_blocked_window_is_explained_with_a_way_on(post: Any, site: str) -> None:
    widget = post.frame_locator("iframe")
    widget.get_by_role("button", name="Check bandwidth").click()
    assert "blocked the checker's token window" in widget.get_by_role("alert").inner_text()
    link = widget.get_by_role("link", name="Open in a new tab")
    assert link.get_attribute("href") == "./"
    assert link.evaluate("(link) => link === document.activeElement")
    assert len(post.context.pages) == 1


def test_a_token_in_the_team_field_is_not_kept_for_the_sign_in_trip(
    page: Any, site: str, netlify: FakeNetlify, authorize: FakeAuthorize
) -> None:
    authorize.decision = "consent"  # the reader is on Netlify's page, and comes back with Back
    CheckerPage(page, site).open(wait_ready=False)
    page.get_by_label("Team slug").fill(TOKEN)
    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url("https://app.netlify.com/**")
    page.go_back()
    page.wait_for_url(site)
    kept = page.evaluate("() => JSON.stringify({ ...sessionStorage, ...localStorage })")
    assert "state" in kept, "the attempt was not kept at all"
    assert TOKEN not in kept
