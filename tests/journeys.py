"""What every engine's journeys share: one browser per engine and test module, the token audit
after each test, and what a reader does (open, submit, wait), through tests/engines.py's driver.

Its fixtures are in tests/conftest.py: `driver`, one browser per engine and test module, and
`token_audit`, which a module of journeys asks for with `pytestmark`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.audit import FIND_TOKEN
from tests.engines import Driver
from tests.fake_netlify import (
    TOKEN,
)

# WebKitGTK renders in software under Xvfb, and a 2-core machine runs the suite: generous bounds.
READY_S = 120
CHECK_S = 30
WIDGET = "iframe[title='Netlify bandwidth checker']"


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
                " document.querySelector('#failure code')?.textContent,"
                " ...(window.seenEvents ? [window.seenEvents.join(' ')] : [])]"
            )
            raise AssertionError(f"{driver.name}: after {timeout_s} s, still not {body!r}: {state}")
        time.sleep(0.1)


def watch_press(driver: Driver, css: str) -> None:
    """Records what reaches the element `css` (pointer, mouse, focus and click events, and where
    the element stood), for `until` to say if a press is ever lost: a WebKit journey has
    sometimes found its press gone under load, and the next failure should tell where."""
    driver.js(
        "const element = document.querySelector(arguments[0]); window.seenEvents = [];"
        "for (const type of ['pointerdown', 'mousedown', 'focusin', 'mouseup', 'click'])"
        "  element.addEventListener(type, (event) => window.seenEvents.push("
        "    `${type}@${Math.round(event.clientY ?? -1)}/${Math.round("
        "element.getBoundingClientRect().top)}`), true);",
        css,
    )


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


def type_token(driver: Driver) -> None:
    driver.click("#token")
    driver.type_keys(TOKEN)
    driver.click_closing("#submit")


def kept(driver: Driver, runtime: str, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if driver.js_async("return (await caches.match(arguments[0])) !== undefined;", runtime):
            return True
        time.sleep(0.2)
    return False


# --- memory snapshots of Python (static/runtime.js) ---------------------------------------------

# Every memory snapshot of Python kept in any cache (static/runtime.js), by address: a function
# for a page to run, here and in tests/test_revisit.py.
SNAPSHOTS = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) {
      if (/\\/snapshot-[0-9a-f]+\\.bin$/.test(request.url)) found.push(request.url);
    }
  }
  return found;
}"""


def snapshots(driver: Driver) -> list[str]:
    return list(driver.js_async(f"return await ({SNAPSHOTS})();"))


def snapshot_kept(driver: Driver, within_s: float = CHECK_S) -> str:
    """The address of the snapshot kept once this visit's worker has warmed up and idled."""
    deadline = time.monotonic() + within_s
    while not (found := snapshots(driver)):
        assert time.monotonic() < deadline, f"{driver.name}: no snapshot kept in {within_s} s"
        time.sleep(0.2)
    [url] = found
    return url


def restored(driver: Driver) -> bool:
    """Whether Python was restored from a snapshot at the last start."""
    return bool(
        driver.js("return performance.getEntriesByName('python-ready').at(-1).detail.restored")
    )


def snapshot_holds(driver: Driver, url: str, text: str) -> bool:
    """Whether the kept snapshot's bytes hold `text` (ASCII), searched for in the browser."""
    return bool(
        driver.js_async(
            """const [url, text] = arguments;
               const response = await caches.match(url);
               const bytes = new Uint8Array(await response.arrayBuffer());
               const wanted = new TextEncoder().encode(text);
               outer: for (let at = bytes.indexOf(wanted[0]); at !== -1;
                           at = bytes.indexOf(wanted[0], at + 1)) {
                 for (let i = 1; i < wanted.length; i++) {
                   if (bytes[at + i] !== wanted[i]) continue outer;
                 }
                 return true;
               }
               return false;""",
            url,
            text,
        )
    )


def delete_snapshots(driver: Driver) -> None:
    for url in snapshots(driver):
        driver.js_async(
            "for (const name of await caches.keys()) await (await caches.open(name))"
            ".delete(arguments[0]); return true;",
            url,
        )


def move_snapshot(driver: Driver, url: str, to: str) -> None:
    """Keeps the snapshot's bytes under another address (another build's), and not under its own."""
    driver.js_async(
        """const [url, to] = arguments;
           for (const name of await caches.keys()) {
             const cache = await caches.open(name);
             const kept = await cache.match(url);
             if (!kept) continue;
             await cache.put(to, new Response(await kept.arrayBuffer()));
             await cache.delete(url);
           }
           return true;""",
        url,
        to,
    )
