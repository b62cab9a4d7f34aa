"""What a reader does, in each engine readers use: Chromium, Firefox, and WebKit (Safari's engine).

One browser per engine runs every journey below in order, from a fresh profile, as one reader's
visits would. After each test the token audit runs: the token reached only the fake API, only in
its Authorization header; the proxy was asked for no other host; the site never saw it; and the
page keeps it nowhere a script could read it back.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from build import PYODIDE_VERSION
from tests.audit import FIND_TOKEN, audited_context, origin_of
from tests.conftest import ARTIFACTS, framing
from tests.connect_proxy import ConnectProxy
from tests.engines import ENGINES, Driver, launch, missing
from tests.fake_authorize import FakeAuthorize
from tests.fake_netlify import (
    BANDWIDTH,
    PREFIX,
    TOKEN,
    FakeNetlify,
    Reply,
    rate_limit_reset_in,
)

# WebKitGTK renders in software under Xvfb, and a 2-core machine runs the suite: generous bounds.
READY_S = 120
CHECK_S = 30
WIDGET = "iframe[title='Netlify bandwidth checker']"


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


@pytest.fixture(autouse=True)
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


def kept_by_page(driver: Driver, checker: str) -> list[str]:
    found = list(driver.js_async(f"return await ({FIND_TOKEN})(arguments[0]);", [TOKEN, checker]))
    if driver.js("return document.querySelector(arguments[0]) !== null", WIDGET):
        with driver.frame(WIDGET):
            found += driver.js_async(
                f"return await ({FIND_TOKEN})(arguments[0]);", [TOKEN, checker]
            )
    return found


# --- what a reader does -------------------------------------------------------------------------


def until(driver: Driver, body: str, *args: Any, timeout_s: float = CHECK_S) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = driver.js(body, *args)
        if value:
            return value
        if time.monotonic() > deadline:
            state = driver.js(
                "return [document.querySelector('#status')?.textContent,"
                " document.querySelector('#alert')?.textContent,"
                " document.querySelector('#failure code')?.textContent]"
            )
            raise AssertionError(f"{driver.name}: after {timeout_s} s, still not {body!r}: {state}")
        time.sleep(0.1)


def marks(driver: Driver, name: str) -> int:
    return int(driver.js("return performance.getEntriesByName(arguments[0]).length", name))


def wait_ready(driver: Driver, after: int = 0) -> str:
    """Waits for Python; returns how its runtime arrived: "downloaded", or "kept" by sw.js."""
    until(
        driver,
        "return performance.getEntriesByName('python-ready').length > arguments[0]",
        after,
        timeout_s=READY_S,
    )
    return str(
        driver.js("return performance.getEntriesByName('python-ready').at(-1).detail.runtime")
    )


def open_page(driver: Driver, url: str) -> str:
    driver.goto(url)
    return wait_ready(driver)


def submit(driver: Driver, token: str, team: str) -> None:
    driver.fill("#token", token)
    driver.fill("#team", team)
    driver.click("#submit")


def check(driver: Driver, token: str = TOKEN, team: str = "acme") -> str:
    before = marks(driver, "result-shown")
    submit(driver, token, team)
    until(
        driver, "return performance.getEntriesByName('result-shown').length > arguments[0]", before
    )
    return str(driver.js("return document.querySelector('#results').innerText"))


def fail(driver: Driver, token: str = TOKEN, team: str = "acme") -> str:
    submit(driver, token, team)
    return str(until(driver, "return document.querySelector('#alert').textContent.trim()"))


# --- the journeys, in the order one reader's visits take ----------------------------------------


def test_a_first_visit_loads_python(driver: Driver, site: str) -> None:
    assert open_page(driver, site) == "downloaded"
    assert driver.js("return document.querySelector('#status').textContent") == "Ready."
    assert driver.js("return document.querySelector('#alert').textContent") == ""


def test_a_check_for_one_team_then_every_team(
    driver: Driver, site: str, netlify: FakeNetlify, proxy: ConnectProxy
) -> None:
    open_page(driver, site)
    text = check(driver, team="acme")
    assert "25.3 GiB of 100 GiB used (25.3 %)" in text
    assert "74.7 GiB" in text
    [request] = netlify.bandwidth_requests()
    assert request.path == PREFIX + BANDWIDTH
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    if driver.name != "chromium":
        assert "api.netlify.com" in proxy.tunnelled, "the API was reached some other way"

    text = check(driver, team="")
    for name in ("Acme Web", "Side Projects", "Credits Co"):
        assert name in text
    assert "130 GiB of 100 GiB used" in text
    status = driver.js("return document.querySelector('#status').textContent")
    assert status == "Checked 3 teams: 1 over the allowance."


def test_a_credit_team_on_the_page_and_in_the_widgets_example(
    driver: Driver, site: str, blog: str
) -> None:
    open_page(driver, site)
    text = check(driver, team="credits-co")
    assert "90 of 300 credits spent on bandwidth (30 %)" in text
    assert "Over" not in text
    href = driver.js("return document.querySelector('.team a').getAttribute('href')")
    assert href == "https://app.netlify.com/teams/credits-co/billing/general"
    driver.goto(blog + "post.html")
    with driver.frame(WIDGET):
        until(driver, "return document.querySelector('#status')?.textContent.includes('as soon')")
        driver.click("#example")
        shown = "return document.querySelector('#results').innerText.includes(arguments[0])"
        until(driver, shown, "230 of 300 credits spent on bandwidth", timeout_s=READY_S)


def test_refresh_every_team_and_a_rate_limit_under_a_strict_cors_answer(
    driver: Driver, site: str, netlify: FakeNetlify
) -> None:
    """Netlify may allow only Authorization and expose no header: everything still works."""
    netlify.strict_cors = True
    open_page(driver, site)
    check(driver, team="acme")
    before = marks(driver, "result-shown")
    driver.click("#refresh")
    until(
        driver, "return performance.getEntriesByName('result-shown').length > arguments[0]", before
    )
    text = str(driver.js("return document.querySelector('#results').innerText"))
    assert "Unchanged since the last check" in text
    # The browser names itself: a User-Agent set by the page would need the preflight's leave.
    for seen in netlify.api_requests():
        assert not seen.headers.get("user-agent", "").startswith("netlify-bandwidth-checker")
    assert "130 GiB of 100 GiB used" in check(driver, team="")
    # A 429 whose reset the page may not read: Netlify's minute, counted down.
    netlify.override(BANDWIDTH, Reply(429, {"code": 429}, rate_limit_reset_in(60)))
    submit(driver, TOKEN, "acme")
    said = until(
        driver,
        "return document.querySelector('#status').textContent"
        ".match(/Asking again in (59|60) s \\(wait 1 of 3\\)/)?.[0]",
    )
    assert said


def test_a_rejected_token_is_explained_then_a_good_one_works(driver: Driver, site: str) -> None:
    open_page(driver, site)
    message = fail(driver, token="nfp_revoked_token_123")
    assert "rejected this token" in message
    assert (
        driver.js("return document.querySelector('#token').getAttribute('aria-invalid')") == "true"
    )
    assert "25.3 GiB" in check(driver)
    assert driver.js("return document.querySelector('#alert').textContent") == ""


def test_forget_token_clears_everything_and_starts_a_fresh_python(
    driver: Driver, site: str
) -> None:
    open_page(driver, site)
    check(driver)
    starts = marks(driver, "python-ready")
    driver.click("#forget")
    assert driver.js("return document.querySelector('#token').value") == ""
    assert driver.js("return document.querySelector('#results').textContent") == ""
    wait_ready(driver, after=starts)
    assert "25.3 GiB" in check(driver)


def test_screenshots_at_phone_and_desktop_widths(driver: Driver, site: str) -> None:
    open_page(driver, site)
    check(driver, team="")
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (375, 1280):
        driver.resize(width, 900)
        time.sleep(0.3)
        driver.screenshot(ARTIFACTS / f"{driver.name}-{width}.png")
        # Every card fits the window's width: nothing to scroll sideways for, at either width.
        widest = driver.js(
            "return Math.max(document.documentElement.scrollWidth,"
            " ...[...document.querySelectorAll('#results > *')]"
            ".map(card => card.getBoundingClientRect().right))"
        )
        assert widest <= driver.js("return window.innerWidth"), (width, widest)
        assert (ARTIFACTS / f"{driver.name}-{width}.png").read_bytes()[:4] == b"\x89PNG"
    driver.resize(1280, 900)


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


def widget_shows(driver: Driver, headline: str) -> None:
    with driver.frame(WIDGET):
        until(
            driver,
            "return document.querySelector('.headline')?.textContent.includes(arguments[0])",
            headline,
            timeout_s=READY_S,
        )


def paste_token(driver: Driver) -> None:
    driver.fill("#token", TOKEN)
    driver.click_closing("#submit")


def sign_in(driver: Driver) -> None:
    driver.click_closing("#sign-in")


def token_from_window(driver: Driver, act: Callable[[Driver], None] = paste_token) -> None:
    """Press the widget's Check bandwidth, give the token in the window that opens (`act`), and
    come back to the blog once that window has handed it over and closed."""
    [blog] = driver.windows()
    with driver.frame(WIDGET):
        driver.click("#submit")
    deadline = time.monotonic() + CHECK_S
    while len(driver.windows()) < 2:
        if time.monotonic() > deadline:
            with driver.frame(WIDGET):
                said = driver.js(
                    "return [document.querySelector('#status').textContent,"
                    " document.querySelector('#alert').textContent]"
                )
            raise AssertionError(f"{driver.name}: no token window opened; the widget says {said}")
        time.sleep(0.1)
    [window] = [handle for handle in driver.windows() if handle != blog]
    driver.switch_window(window)
    until(
        driver, "return document.readyState === 'complete' && location.pathname === '/token.html'"
    )
    # Only the token is asked for there: the widget has the team and the units.
    assert driver.js("return document.querySelector('#team').closest('.field').hidden") is True
    act(driver)
    deadline = time.monotonic() + READY_S
    while len(driver.windows()) > 1:
        assert time.monotonic() < deadline, f"{driver.name}: the token window stayed open"
        time.sleep(0.1)
    driver.switch_window(blog)


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


def type_token(driver: Driver) -> None:
    driver.click("#token")
    driver.type_keys(TOKEN)
    driver.click_closing("#submit")


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
    kept = driver.js("return JSON.stringify(Object.assign({}, localStorage, sessionStorage))")
    assert "remembered" in kept and TOKEN not in kept
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


def test_a_second_visit_starts_from_the_kept_runtime(driver: Driver, site: str) -> None:
    open_page(driver, site)
    if not driver.js("return Boolean(navigator.serviceWorker)"):
        pytest.skip(f"{driver.name} offers no service workers here; the first-visit path stands")
    until(driver, "return navigator.serviceWorker.controller !== null")
    runtime = f"{site}pyodide/{PYODIDE_VERSION}/pyodide.asm.wasm"
    # The journeys before this one left pages moments after "Ready", cutting writes short; in
    # WebKit that used to cost the next copy too. A reader gets the copy kept within a few
    # visits at most, and then every visit starts from it.
    for _visit in range(3):
        if kept(driver, runtime, within_s=20):
            break
        open_page(driver, site)
    else:
        pytest.fail(f"{driver.name} never kept the runtime in three visits")
    assert open_page(driver, site) == "kept"
    assert "25.3 GiB" in check(driver)


def kept(driver: Driver, runtime: str, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if driver.js_async("return (await caches.match(arguments[0])) !== undefined;", runtime):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("broken_site", ["missing"], indirect=True)
def test_a_runtime_that_cannot_load_says_which_file_and_why(
    driver: Driver, broken_site: str, netlify: FakeNetlify
) -> None:
    driver.allow(broken_site)
    driver.goto(broken_site)
    alert = until(driver, "return document.querySelector('#alert').textContent", timeout_s=20)
    assert "Python could not be loaded" in alert
    assert driver.js("return document.querySelector('#failure').hidden") is False
    reason = driver.js("return document.querySelector('#failure code').textContent")
    assert reason.startswith(f"../pyodide/{PYODIDE_VERSION}/pyodide.asm.wasm.gz: ")
    assert "HTTP 404" in reason
    assert netlify.requests == []
