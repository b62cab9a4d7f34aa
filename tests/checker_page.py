"""Drives the checker page the way a person does: by its labels, buttons and what it shows."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Error as PlaywrightError

from tests.fake_netlify import TOKEN

# Loading Python in a worker takes seconds on a slow machine; a check itself takes milliseconds.
READY_TIMEOUT_MS = 60_000
CHECK_TIMEOUT_MS = 30_000


class CheckerPage:
    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url

    def open(self, *, wait_ready: bool = True) -> CheckerPage:
        self.page.goto(self.url)
        if wait_ready:
            self.wait_ready()
        return self

    def until(self, condition: str, arg: Any = None, timeout_ms: float = CHECK_TIMEOUT_MS) -> Any:
        """Poll a JS condition from the test's side: works under Playwright's fake clock too."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            value = self.page.evaluate(condition, arg)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout_ms} ms: {condition}")
            time.sleep(0.05)

    def marks(self, name: str) -> int:
        return int(self.page.evaluate("(n) => performance.getEntriesByName(n).length", name))

    def wait_ready(self, after: int = 0) -> None:
        self.until(
            "(n) => performance.getEntriesByName('python-ready').length > n",
            after,
            READY_TIMEOUT_MS,
        )

    def wait_ready_again(self) -> None:
        """Wait for a restarted worker's Python (every start adds a python-ready mark)."""
        self.wait_ready(after=self.marks("python-ready"))

    @property
    def token(self) -> Any:
        return self.page.get_by_label("Personal access token")

    @property
    def team(self) -> Any:
        return self.page.get_by_label("Team slug")

    @property
    def alert(self) -> Any:
        return self.page.get_by_role("alert")

    @property
    def results(self) -> Any:
        return self.page.get_by_role("region", name="Results")

    def submit(self, token: str = TOKEN, team: str = "acme") -> None:
        self.token.fill(token)
        self.team.fill(team)
        self.page.get_by_role("button", name="Check bandwidth").click()

    def check(self, token: str = TOKEN, team: str = "acme") -> str:
        """Submit and wait for the figures; returns the results' text."""
        before = self.marks("result-shown")
        self.submit(token, team)
        self.wait_result(before)
        return str(self.results.inner_text())

    def wait_result(self, before: int = 0, timeout_ms: float = CHECK_TIMEOUT_MS) -> None:
        """Wait for a result after the `before` already shown (with Python's start, if need be)."""
        self.until(
            "(n) => performance.getEntriesByName('result-shown').length > n", before, timeout_ms
        )

    def fail(self, token: str = TOKEN, team: str = "acme") -> str:
        """Submit and wait for the alert; returns its sentence."""
        self.submit(token, team)
        return self.alerted()

    def alerted(self) -> str:
        """Wait for the alert; returns its sentence."""
        self.until("() => document.querySelector('[role=alert]').textContent.trim() !== ''")
        return str(self.alert.inner_text())


# --- the widget's token window ------------------------------------------------------------------


def open_token_window(post: Any, site: str) -> Any:
    widget = post.frame_locator("iframe")
    with post.context.expect_page() as opened:
        widget.get_by_role("button", name="Check bandwidth").click()
    window = opened.value
    window.wait_for_load_state()
    assert window.url == site + "token.html"
    return window


def closes_with(window: Any, action: Callable[[], None]) -> None:
    """Do what hands the token over: the window closes before Playwright's action returns."""
    with window.expect_event("close"):
        try:
            action()
        except PlaywrightError:
            if not window.is_closed():
                raise


def token_from_window(post: Any, site: str, token: str = TOKEN) -> None:
    """In a blog post: press the widget's Check bandwidth, paste the token in the window."""
    window = open_token_window(post, site)
    window.get_by_label("Personal access token").fill(token)
    closes_with(window, lambda: window.get_by_role("button", name="Check bandwidth").click())
