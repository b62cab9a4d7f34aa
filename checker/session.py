"""The browser's Python: one Session per worker, which the worker calls and nothing else.

Python decides what to ask Netlify and what the answers mean; the worker (static/worker.js) does
the sending, several requests at once, with `fetch`. A check goes:

    begin(form)             -> {"send": [request, …], "done", "pause"} or {"view": view}
    receive(id, outcome, body) -> {"send": [request, …], "done", "answered": bool, "pause"}
    resume()                -> as receive(), once a pause for the rate limit has run out
    view()                  -> the view: partial (teams still asking) until done

`pause` is null, or {seconds, text}: Netlify's rate limit was reached, and the worker sends
nothing more until `seconds` have passed, then calls resume().

Every argument and answer is JSON text, but for an answer's body, which comes as the bytes fetch
read and is decoded once, where its figures are read. No call raises: the page must get a
sentence, never a traceback. The session holds Netlify's last answers, to say "unchanged", for
the worker's life only ("Forget token" ends that life). docs/worker-protocol.md has the shapes.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from checker.figures import history
from checker.netlify import api, ratelimit, samples
from checker.netlify.api import Outcome
from checker.netlify.check import Check, Memory
from checker.netlify.drive import InTurn, drive
from checker.netlify.ratelimit import RATE_LIMIT_WAITS, Pause
from checker.netlify.report import Clock, utc_now
from checker.view.page import View, error_view, page_view

UNEXPECTED = "Something unexpected went wrong while checking. Please try again."

# What the page needs to know of Python's limits, which build.py writes into the worker (sent
# with its `ready` message, before the checker is imported): the
# worker gives up on a request after `request_ms` and says `timed_out`, and the page's watchdog
# stops a worker silent for longer than that, with the same words.
# `max_body_bytes`: the worker stops reading an answer past Python's own limit on one.
# `unexpected`: what the worker answers a check that broke in its own code.
LIMITS = {
    "request_ms": api.TIMEOUT_SECONDS * 1000,
    "timed_out": api.timed_out().message,
    "max_body_bytes": api.MAX_BODY_BYTES,
    "unexpected": UNEXPECTED,
    # static/worker.js's gate refused a request: it was to somewhere other than Netlify's API.
    "refused": (
        "The page stopped a request that its Python asked for, to somewhere other than "
        "Netlify's API: nothing was sent, the token least of all. Python's saved copy in this "
        "browser was deleted. Reload the page to check again."
    ),
}

# What receive() and resume() answer when no check is running (a bad form ended it at once).
NOTHING_RUNNING = {"send": [], "done": True, "answered": False, "pause": None}

# What the worker reports of a request that got no answer, by its `failed` field.
FAILURES = {
    "network": api.unreachable,
    "timeout": api.timed_out,
    "redirect": api.redirected,
    "too-large": api.too_large,
}


class Session:
    def __init__(self, now: Clock = utc_now) -> None:
        self._now = now
        self._memory: Memory = {}
        self._running: Check | None = None
        self._kept: list[history.Reading] = []

    def begin(self, form: str) -> str:
        """A check of the form's team, or every team; the example needs no request at all."""
        self._running = None
        try:
            fields = json.loads(form)
            if fields.get("example") is True:
                now = self._now()
                return json.dumps(
                    {"view": page_view(samples.example_reports(now), now, example=True)}
                )
            team = str(fields.get("team", ""))
            lines = fields.get("history")
            # The readings the page keeps on this device, if the reader asked it to.
            self._kept = history.read_lines(lines if isinstance(lines, list) else [])
            token = str(fields.get("token", ""))
            self._running = Check(token, [team], now=self._now, memory=self._memory)
            return json.dumps(self._step())
        except api.CheckError as error:
            return json.dumps({"view": error_view(error)})
        except Exception:  # noqa: BLE001 - the page must get a sentence, never a traceback
            return json.dumps({"view": error_view(api.CheckError(UNEXPECTED))})

    def receive(self, request_id: int, outcome: str, body: object = None) -> str:
        """One request's outcome: Netlify's answer ({status, headers}, and its `body`: bytes, or
        in the browser a Uint8Array) or {failed: kind}. `answered` says whether it settled a
        team, whose card the page can draw now."""
        running = self._running
        if running is None:
            return json.dumps(NOTHING_RUNNING)
        try:
            answered = running.receive(request_id, _outcome(json.loads(outcome), body))
        except Exception:  # noqa: BLE001 - as in begin()
            running.fail(api.CheckError(UNEXPECTED))
            answered = False
        return json.dumps({**self._step(), "answered": answered})

    def resume(self) -> str:
        """After a wait for Netlify's rate limit: what to send now (as receive() answers)."""
        if self._running is None:
            return json.dumps(NOTHING_RUNNING)
        return json.dumps({**self._step(), "answered": False})

    def _step(self) -> dict[str, Any]:
        """What the worker does next: send these, or wait `pause.seconds` and call resume()."""
        assert self._running is not None
        running = self._running
        sending = self._requests()
        pause = running.pause
        return {
            "send": sending,
            "done": running.finished,
            "pause": None if pause is None else pause_view(pause, self._now()),
        }

    def view(self) -> str:
        """The check's view: every team known so far, those without an answer shown waiting."""
        running = self._running
        if running is None:
            return json.dumps(error_view(api.CheckError(UNEXPECTED)))
        try:
            teams = running.reports() if running.finished else running.partial()
            view: View = page_view(teams, self._now(), kept=self._kept)
        except api.CheckError as error:
            view = error_view(error)
        except Exception:  # noqa: BLE001 - as in begin()
            view = error_view(api.CheckError(UNEXPECTED))
        return json.dumps(view)

    def warm_up(self) -> str:
        """One check of several teams against recorded answers, while the page has nothing else
        to do: a person's first check then finds every code path already run once (first calls
        are several times slower in the browser: lazily compiled patterns, caches,
        specialisation) and answers as fast as the ones after it. Netlify is not contacted, and
        nothing of this session's is touched. The view lets the page warm up its drawing."""
        session = Session()
        session._running = Check("nfp_warm_up", [""], now=session._now, memory=session._memory)
        drive(session._running, InTurn(_recorded), on_settled=session.view)
        return session.view()

    def _requests(self) -> list[dict[str, Any]]:
        assert self._running is not None
        return [
            {"id": request_id, "method": r.method, "url": r.url, "headers": r.headers}
            for request_id, r in self._running.requests()
        ]


def pause_view(pause: Pause, now: datetime) -> dict[str, Any]:
    """A wait for the rate limit as the page counts it down: whole seconds, and what to say."""
    seconds = max(1, math.ceil((pause.until - now).total_seconds()))
    return {"seconds": seconds, "text": ratelimit.waiting(pause.number, RATE_LIMIT_WAITS)}


def _outcome(outcome: dict[str, Any], body: object) -> Outcome:
    failed = outcome.get("failed")
    if failed is not None:
        return FAILURES.get(failed, api.unreachable)()
    headers = {str(name).lower(): str(value) for name, value in outcome["headers"].items()}
    return api.Response(int(outcome["status"]), _bytes(body), headers)


def _bytes(body: object) -> bytes:
    """The body as bytes: in Pyodide a Uint8Array arrives as a proxy that copies itself out."""
    to_bytes = getattr(body, "to_bytes", None)
    if to_bytes is not None:
        return to_bytes()
    if isinstance(body, bytes):
        return body
    raise TypeError("an answer's body must come as bytes")


def _recorded(request: api.Request) -> api.Response:
    """The recorded answer to a warm-up request, as the worker would hand it over."""
    url = request.url
    if url.endswith("/accounts"):
        credit_team = samples.account("warm-up-credits", "Credits", "Free", credits=(0, 300))
        body = json.dumps([samples.RECORDED_ACCOUNT, credit_team])
    elif url.endswith("/bandwidth"):
        body = samples.RECORDED_BANDWIDTH.body.decode()
    elif "/sites?" in url:
        body = json.dumps([samples.site("warm-up-site", "Site")])
    elif "/deploys?" in url:
        body = json.dumps([samples.deploy(datetime(2024, 3, 1, tzinfo=UTC))])
    else:
        body = json.dumps(samples.RECORDED_ACCOUNT)
    return api.Response(200, body.encode(), {"content-type": "application/json"})
