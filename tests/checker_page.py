"""Drives the checker page the way a person does: by its labels, buttons and what it shows."""

from __future__ import annotations

from typing import Any

from tests.fake_netlify import TOKEN

# Loading Python in a worker takes seconds on a slow machine; a check itself takes milliseconds.
READY_TIMEOUT_MS = 60_000


class CheckerPage:
    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url

    def open(self, *, wait_ready: bool = True) -> CheckerPage:
        self.page.goto(self.url)
        if wait_ready:
            self.wait_ready()
        return self

    def wait_ready(self) -> None:
        self.page.wait_for_function(
            "() => performance.getEntriesByName('python-ready').length > 0",
            timeout=READY_TIMEOUT_MS,
        )

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

    def check(self, token: str = TOKEN, team: str = "acme", timeout: float = 30_000) -> str:
        """Submit and wait for the figures; returns the results' text."""
        before = self.marks("result-shown")
        self.submit(token, team)
        self.page.wait_for_function(
            "(n) => performance.getEntriesByName('result-shown').length > n",
            arg=before,
            timeout=timeout,
        )
        return self.results.inner_text()

    def fail(self, token: str = TOKEN, team: str = "acme", timeout: float = 30_000) -> str:
        """Submit and wait for the alert; returns its sentence."""
        self.submit(token, team)
        self.page.wait_for_function(
            "() => document.querySelector('[role=alert]').textContent.trim() !== ''",
            timeout=timeout,
        )
        return self.alert.inner_text()

    def marks(self, name: str) -> int:
        return int(self.page.evaluate("(n) => performance.getEntriesByName(n).length", name))
