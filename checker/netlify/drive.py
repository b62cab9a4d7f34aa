"""The one loop that answers a `Check` (checker/netlify/check.py): ask it what to send, start
each request with a `Sender`, hand each outcome back as it comes, wait out Netlify's rate limit,
until the check is finished.

The command line sends from a pool of threads (checker/transport.py's `Threads`); the example
teams and the page's warm-up answer from memory (`InTurn`). The page's worker keeps a loop of its
own (static/worker.js), since in a browser the sending is JavaScript's.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from checker.netlify import api
from checker.netlify.check import Check
from checker.netlify.ratelimit import Pause
from checker.netlify.report import Clock, TeamReport, utc_now


class Stalled(RuntimeError):
    """The check waits for outcomes that will never come: a bug in whoever drives it."""


class Sender(Protocol):
    def start(self, request_id: int, request: api.Request) -> None:
        """Sends the request; its outcome comes from `next()` under `request_id`."""
        ...

    def next(self) -> tuple[int, api.Outcome] | None:
        """The next outcome, once it has come; None when nothing is in flight."""
        ...


def drive(
    running: Check,
    sender: Sender,
    *,
    now: Clock = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    on_pause: Callable[[Pause], None] = lambda pause: None,
    on_settled: Callable[[], object] = lambda: None,
) -> list[TeamReport]:
    """The check's reports, once every request it asks for is answered. Raises the CheckError
    that ended it, if one did. `on_pause` hears of each wait for the rate limit as it begins,
    `on_settled` of each answer that decided or added to a team's report."""
    said: Pause | None = None
    while not running.finished:
        # Read before asking: without a pause, nothing holds the check's requests back.
        pause = running.pause
        for request_id, request in running.requests():
            sender.start(request_id, request)
        if pause is not None and pause != said:
            said = pause
            on_pause(pause)
        arrived = sender.next()
        if arrived is not None:
            if running.receive(*arrived):
                on_settled()
        elif pause is not None:
            sleep(max(0.0, (pause.until - now()).total_seconds()))
        else:
            raise Stalled("the check waits for outcomes of requests that this sender never had")
    return running.reports()


class InTurn:
    """Answers from memory (`answer`), one request at a time, in the order they were started."""

    def __init__(self, answer: api.Send) -> None:
        self._answer = answer
        self._started: deque[tuple[int, api.Request]] = deque()

    def start(self, request_id: int, request: api.Request) -> None:
        self._started.append((request_id, request))

    def next(self) -> tuple[int, api.Outcome] | None:
        if not self._started:
            return None
        request_id, request = self._started.popleft()
        try:
            return request_id, self._answer(request)
        except api.CheckError as error:
            return request_id, error
