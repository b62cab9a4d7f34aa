"""The browser's Python: one Session per worker, which the worker calls and nothing else.

Each call takes the form as JSON and returns the view (checker/view.py) as JSON, and never
raises: the page must get a sentence, never a traceback. The session holds what a worker's
checks share, Netlify's last answers, for the worker's life only ("Forget token" ends that life).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from checker import api, samples, transport
from checker.check import Memory, check, utc_now
from checker.transport import Send
from checker.view import View, error_view, page_view

# What the page needs to know of Python's own limits, sent with the worker's `ready` message:
# the page's watchdog stops a worker silent for longer than Python's own bound on a request
# (pyodide-http's urllib ignores timeouts), with Python's own words.
LIMITS = {
    "request_ms": transport.TIMEOUT_SECONDS * 1000,
    "timed_out": transport.timed_out().message,
}


class Session:
    def __init__(self) -> None:
        self._memory: Memory = {}

    def limits(self) -> str:
        return json.dumps(LIMITS)

    def check(self, form: str, send: Send, on_request: Callable[[], None] | None = None) -> str:
        """The form as JSON in, the view as JSON out. `on_request` runs before each request,
        so that the page can time requests rather than checks."""
        return json.dumps(_answer(form, _announcing(send, on_request), self._memory))

    def warm_up(self, send: Send, url: str, on_request: Callable[[], None] | None = None) -> str:
        """One check against the recorded answer while the page has nothing else to do.

        A person's first check then finds every code path already run once (first calls are
        several times slower in the browser: lazily compiled patterns, caches, specialisation)
        and answers as fast as the ones after it. The transport's path is warmed with a request
        for `url`, a small file of the page's own origin; Netlify is not contacted, and nothing
        of this session's is touched. The view lets the page warm up its drawing the same way.
        """

        def recorded(request: api.Request) -> api.Response:
            send(api.Request("GET", url, {"Accept": "application/json"}))
            if request.url.endswith("/bandwidth"):
                return samples.RECORDED_BANDWIDTH
            return api.Response(200, json.dumps(samples.RECORDED_ACCOUNT).encode())

        form = json.dumps({"token": "nfp_warm_up", "team": "warm-up"})
        return json.dumps(_answer(form, _announcing(recorded, on_request), {}))


def _announcing(send: Send, on_request: Callable[[], None] | None) -> Send:
    def announced(request: api.Request) -> api.Response:
        if on_request is not None:
            on_request()
        return send(request)

    return announced


def _answer(form: str, send: Send, memory: Memory) -> View:
    try:
        fields = json.loads(form)
        if fields.get("example") is True:
            now = utc_now()
            return page_view(samples.example_reports(now), now, example=True)
        team = str(fields.get("team", ""))
        reports = check(str(fields.get("token", "")), [team], send, memory=memory)
        return page_view(reports, utc_now())
    except api.CheckError as error:
        return error_view(error)
    except Exception:  # noqa: BLE001 - the page must get a sentence, never a traceback
        failure = api.CheckError(
            "Something unexpected went wrong while checking. Please try again."
        )
        return error_view(failure)
