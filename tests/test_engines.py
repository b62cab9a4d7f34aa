"""What a reader does on the full page, in each engine readers use: Chromium, Firefox, and WebKit
(Safari's engine).

One browser per engine runs every journey below in order, from a fresh profile, as one reader's
visits would. After each test the token audit runs: the token reached only the fake API, only in
its Authorization header; the proxy was asked for no other host; the site never saw it; and the
page keeps it nowhere a script could read it back (tests/journeys.py).
"""

from __future__ import annotations

import time

import pytest

from build import PYODIDE_VERSION
from tests.conftest import ARTIFACTS
from tests.connect_proxy import ConnectProxy
from tests.engines import Driver
from tests.fake_netlify import (
    BANDWIDTH,
    PREFIX,
    TOKEN,
    FakeNetlify,
    Reply,
    rate_limit_reset_in,
)
from tests.journeys import (  # noqa: F401 - fixtures
    CHECK_S,
    READY_S,
    WIDGET,
    check,
    delete_snapshots,
    fail,
    kept,
    kept_by_page,
    marks,
    move_snapshot,
    open_page,
    paste_token,
    restored,
    sign_in,
    snapshot_holds,
    snapshot_kept,
    snapshots,
    submit,
    token_from_window,
    type_token,
    until,
    wait_ready,
    watch_press,
    widget_shows,
)

# --- the journeys, in the order one reader's visits take ----------------------------------------

# After each journey: the token reached only the fake API, in its Authorization header.
pytestmark = pytest.mark.usefixtures("token_audit")


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
    assert "165 of 300 credits spent (55 %)" in text
    assert "Production deploys\nat least 5: 75 credits" in text
    assert "Over" not in text
    href = driver.js("return document.querySelector('.team a').getAttribute('href')")
    assert href == "https://app.netlify.com/teams/credits-co/billing/general"
    driver.goto(blog + "post.html")
    with driver.frame(WIDGET):
        until(driver, "return document.querySelector('#status')?.textContent.includes('as soon')")
        watch_press(driver, "#example")
        driver.click("#example")
        shown = "return document.querySelector('#results').innerText.includes(arguments[0])"
        until(driver, shown, "275 of 300 credits spent", timeout_s=READY_S)


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


# --- a revisit restored from a memory snapshot made in this browser -------------------------------


def needs_service_workers(driver: Driver) -> None:
    if not driver.js("return Boolean(navigator.serviceWorker?.controller)"):
        pytest.skip(f"{driver.name} offers no service workers here; the first-visit path stands")


def test_a_revisit_restores_python_from_a_snapshot_and_checks(driver: Driver, site: str) -> None:
    open_page(driver, site)
    needs_service_workers(driver)
    # This visit, left alone after Ready, keeps a snapshot once it has warmed up.
    snapshot_kept(driver)
    open_page(driver, site)
    assert restored(driver)
    assert "25.3 GiB" in check(driver)
    assert driver.js("return document.querySelector('#alert').textContent") == ""


def test_a_snapshot_holds_no_token_used_later_in_the_same_visit(driver: Driver, site: str) -> None:
    open_page(driver, site)
    needs_service_workers(driver)
    delete_snapshots(driver)
    # This visit restores none, so it makes one once warmed up; then a check with the token, in
    # that same worker.
    open_page(driver, site)
    assert not restored(driver)
    url = snapshot_kept(driver)
    assert "25.3 GiB" in check(driver)
    assert snapshot_holds(driver, url, "checker.netlify.check"), "the search finds nothing"
    assert not snapshot_holds(driver, url, TOKEN)


def test_a_snapshot_of_another_build_is_not_restored(driver: Driver, site: str) -> None:
    open_page(driver, site)
    needs_service_workers(driver)
    url = snapshot_kept(driver)
    other = url.rsplit("/", 1)[0] + "/snapshot-0123456789abcdef.bin"
    move_snapshot(driver, url, other)
    open_page(driver, site)
    assert not restored(driver)
    assert "25.3 GiB" in check(driver)
    # The next visit left alone keeps this build's snapshot in place of the other's: a cold
    # start, its warm-up and a 31 MB write into Cache Storage, which WebKit took more than 30 s
    # for once in a full run (and seconds alone), so the wait is Python's start's own bound.
    open_page(driver, site)
    deadline = time.monotonic() + READY_S
    while snapshots(driver) != [url]:
        if time.monotonic() > deadline:
            starts = driver.js("return performance.getEntriesByName('python-ready').length")
            said = f"{snapshots(driver)}, not [{url}], after {starts} start(s) of Python"
            raise AssertionError(f"{driver.name}: {said}")
        time.sleep(0.2)


def test_forget_token_leaves_no_snapshot_behind(driver: Driver, site: str) -> None:
    open_page(driver, site)
    needs_service_workers(driver)
    snapshot_kept(driver)
    open_page(driver, site)
    check(driver)
    starts = marks(driver, "python-ready")
    driver.click("#forget")
    wait_ready(driver, after=starts)
    assert not restored(driver)
    # The new worker deletes every snapshot as it starts...
    deadline = time.monotonic() + CHECK_S
    while snapshots(driver):
        assert time.monotonic() < deadline, f"{driver.name}: a snapshot outlived Forget token"
        time.sleep(0.2)
    # ...and, having started after Forget token, makes none of its own.
    time.sleep(3)
    assert snapshots(driver) == []
    assert "25.3 GiB" in check(driver)
