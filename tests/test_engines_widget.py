"""The widget in a blog post, signing in, and the framed pages, in each engine readers use:
Chromium, Firefox, and WebKit (Safari's engine), with the token audit after each test
(tests/journeys.py).
"""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import ARTIFACTS, framing
from tests.engines import Driver
from tests.fake_authorize import FakeAuthorize
from tests.fake_netlify import (
    TOKEN,
    FakeNetlify,
)
from tests.journeys import (  # noqa: F401 - fixtures
    CHECK_S,
    READY_S,
    WIDGET,
    check,
    fail,
    kept,
    kept_by_page,
    marks,
    open_page,
    paste_token,
    sign_in,
    submit,
    token_from_window,
    type_token,
    until,
    wait_ready,
    widget_shows,
)

# After each journey: the token reached only the fake API, in its Authorization header.
pytestmark = pytest.mark.usefixtures("token_audit")


def test_the_widget_in_a_blog_post_takes_its_token_from_a_window_checks_and_resizes(
    driver: Driver, blog: str, site: str, site_log: list[str]
) -> None:
    driver.goto(blog + "post.html")
    with driver.frame(WIDGET):
        until(driver, "return document.querySelector('#status')?.textContent.includes('as soon')")
        assert driver.js("return document.querySelector('#team').value") == "acme"
    time.sleep(0.5)
    assert not [path for path in site_log if path.startswith("/pyodide/")], "loaded unasked"
    before = driver.js(f"return document.querySelector({WIDGET!r}).getBoundingClientRect().height")
    with driver.frame(WIDGET):
        assert driver.js("return document.querySelector('#token')") is None
    token_from_window(driver)
    widget_shows(driver, "25.3 GiB of 100 GiB used")
    with driver.frame(WIDGET):
        # data-team named the team: its name, plan and quotas come with the figures.
        until(driver, "return document.querySelector('.quotas') !== null")
        content = driver.js("return document.querySelector('main').offsetHeight")
    assert content > before + 100
    # The frame follows its content: the whole result shows, with no inner scrollbar, in a
    # frame at most one 40-pixel step taller.
    until(
        driver,
        f"const height = document.querySelector({WIDGET!r}).getBoundingClientRect().height;"
        " return height >= arguments[0] && height < arguments[0] + 40",
        content,
    )
    received = driver.js("return window.__messages")
    assert received, "the widget never reported its height"
    for origin, data in received:
        assert origin == site.rstrip("/")
        assert json.loads(data)["type"] == "netlify-bandwidth-checker:height"
        assert json.loads(data)["height"] % 40 == 0
        assert TOKEN not in data
    driver.screenshot(ARTIFACTS / f"{driver.name}-embed.png")


def test_signing_in_with_netlify_checks_every_team(
    driver: Driver, site: str, netlify: FakeNetlify, authorize: FakeAuthorize
) -> None:
    driver.goto(site)
    until(driver, "return !document.querySelector('.sign-in').hidden")
    driver.click("#sign-in")
    until(
        driver,
        "return location.pathname === '/token.html'"
        " && performance.getEntriesByName('result-shown').length > 0",
        timeout_s=READY_S,
    )
    assert driver.js("return location.href") == site + "token.html"
    status = driver.js("return document.querySelector('#status').textContent")
    assert status == "Checked 3 teams: 1 over the allowance."
    assert len(authorize.asked) == 1
    # What a reload loads holds no token: nothing is checked again, and nobody is signed in.
    # (A reload itself, in Chromium, is in test_signin.py.)
    before = len(netlify.api_requests())
    driver.goto(site + "token.html")
    wait_ready(driver)
    time.sleep(0.3)
    assert len(netlify.api_requests()) == before
    assert driver.js("return document.querySelector('#signed-in').hidden") is True
    assert driver.js("return location.href") == site + "token.html"


def test_a_declined_or_forged_sign_in_checks_nothing(
    driver: Driver, site: str, netlify: FakeNetlify, authorize: FakeAuthorize
) -> None:
    authorize.decision = "decline"
    driver.goto(site)
    until(driver, "return !document.querySelector('.sign-in').hidden")
    driver.click("#sign-in")
    alert = until(driver, "return document.querySelector('#alert')?.textContent")
    assert "You declined" in alert
    # A link that arrives with a token, loading the page afresh.
    driver.goto(site)
    driver.goto(f"{site}token.html#access_token=nfo_forged0123456789&token_type=Bearer&state=x")
    alert = until(driver, "return document.querySelector('#alert')?.textContent")
    assert "not from a sign-in started here" in alert
    assert driver.js("return location.hash") == ""
    wait_ready(driver)
    assert netlify.api_requests() == []


def test_signing_in_from_the_widgets_window(
    driver: Driver, blog: str, site: str, netlify: FakeNetlify, authorize: FakeAuthorize
) -> None:
    driver.goto(blog + "post.html")
    with driver.frame(WIDGET):
        until(driver, "return document.querySelector('#status')?.textContent.includes('as soon')")
    token_from_window(driver, sign_in)
    widget_shows(driver, "25.3 GiB of 100 GiB used")
    assert len(authorize.asked) == 1


def test_a_host_page_that_steals_focus_captures_nothing_of_the_token(
    driver: Driver, blog: str, netlify: FakeNetlify
) -> None:
    driver.goto(blog + "hostile.html")
    # The attack works in this engine: keys typed after clicking into the frame reach the host.
    with driver.frame(WIDGET):
        until(driver, "return document.querySelector('#status')?.textContent.includes('as soon')")
        driver.click("#team")
    time.sleep(0.3)
    driver.type_keys("side")
    assert "keydown:s" in driver.js("return window.__captured"), "the fixture's attack failed"
    with driver.frame(WIDGET):
        driver.js("document.querySelector('#team').value = ''")  # whatever reached the field
    driver.js("window.__captured.length = 0")
    # The token, typed key by key in the checker's own window, for a whole check.
    token_from_window(driver, type_token)
    widget_shows(driver, "25.3 GiB of 100 GiB used")
    captured = driver.js("return window.__captured")
    assert captured == [], f"{driver.name}: the host page saw {captured}"


def test_a_blocked_token_window_is_explained(driver: Driver, blog: str) -> None:
    driver.goto(blog + "no-popups.html")
    with driver.frame(WIDGET):
        until(driver, "return document.querySelector('#status')?.textContent.includes('as soon')")
        driver.click("#submit")
        alert = until(driver, "return document.querySelector('#alert').textContent")
        assert "blocked the checker's token window" in alert
        assert driver.js("return document.activeElement.id") == "new-tab"
    assert len(driver.windows()) == 1


def test_the_team_and_units_are_remembered_only_when_asked(driver: Driver, site: str) -> None:
    open_page(driver, site)
    driver.click("#remember")
    driver.click("input[name=units][value=decimal]")
    assert "27.2 GB of 107 GB used" in check(driver, team="acme")
    open_page(driver, site)
    assert driver.js("return document.querySelector('#team').value") == "acme"
    assert driver.js("return document.querySelector('#remember').checked") is True
    assert driver.js("return document.querySelector('input[value=decimal]').checked") is True
    driver.click("#remember")
    open_page(driver, site)
    assert driver.js("return document.querySelector('#team').value") == ""
    assert driver.js("return localStorage.length") == 0


def test_a_token_in_the_team_field_is_never_remembered(driver: Driver, site: str) -> None:
    open_page(driver, site)
    driver.click("#remember")
    assert "looks like a token" in fail(driver, token=TOKEN, team=TOKEN)
    stored = driver.js("return JSON.stringify(Object.assign({}, localStorage, sessionStorage))")
    assert "remembered" in stored and TOKEN not in stored
    driver.click("#remember")
    assert driver.js("return localStorage.length") == 0


@pytest.mark.parametrize("address", ["token", "index", "index.html"])
def test_a_page_framed_without_its_headers_asks_for_no_token(
    driver: Driver, blog: str, naked_site: str, netlify: FakeNetlify, address: str
) -> None:
    """A host that drops every header frames the page: there is no token field to catch."""
    driver.allow(naked_site)
    driver.goto(framing(blog, naked_site + address))
    with driver.frame("iframe"):
        until(driver, "const n = document.querySelector('#framed'); return n && !n.hidden")
        assert driver.js("return document.querySelector('#token, #team, form')") is None
        assert driver.js("return document.querySelector('#framed a').target") == "_blank"
    assert netlify.requests == []


@pytest.mark.parametrize("address", ["token", "index.html"])
def test_a_page_framed_without_its_headers_or_scripts_shows_no_token_field(
    driver: Driver, blog: str, naked_site: str, netlify: FakeNetlify, address: str
) -> None:
    """A frame sandboxed without scripts: the form ships hidden, whatever runs or not."""
    driver.allow(naked_site)
    driver.goto(framing(blog, naked_site + address, sandbox=""))
    # The frame runs no script, so it is read from the host's side, which may not look into
    # it: its own size says whether a field was laid out (a hidden form takes no room).
    until(driver, "return document.querySelector('iframe')?.contentWindow !== undefined")
    with driver.frame("iframe"):
        shown = driver.js(
            "const f = document.querySelector('#check-form');"
            "return f ? f.getClientRects().length : -1"
        )
        assert shown == 0
    assert netlify.requests == []
