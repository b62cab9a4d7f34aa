"""The command line's I/O: send a `Request` with `urllib` and return the `Response`, whatever its
status; and send a check's requests at once, each from a thread of its own (urllib blocks).

The browser does its own I/O (static/worker.js sends the same requests with `fetch`), so nothing
the page's Python imports comes from here.
"""

from __future__ import annotations

import http.client
import queue
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence

from checker.netlify import api
from checker.netlify.api import (
    MAX_BODY_BYTES,
    TIMEOUT_SECONDS,
    BadResponse,
    NetworkError,
    Outcome,
    Request,
    Response,
    Send,
    timed_out,
    unreachable,
)
from checker.netlify.check import CAP, Check, Memory
from checker.netlify.drive import drive
from checker.netlify.ratelimit import Pause
from checker.netlify.report import Clock, TeamReport, utc_now
from checker.outputs.addresses import is_loopback

# Named on the command line only: the page sends no header of its own beyond Authorization,
# which is all that Netlify's CORS answer need allow.
USER_AGENT = "netlify-bandwidth-checker/1.0 (Python; the Netlify bandwidth checker command line)"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would replay the Authorization header to wherever a redirect points.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)
# A stand-in for the API on this machine is reached directly, never through a proxy that the
# environment names, which would otherwise see the token.
_local_opener = urllib.request.build_opener(_NoRedirects, urllib.request.ProxyHandler({}))


def send(request: Request) -> Response:
    headers = {**request.headers, "User-Agent": USER_AGENT}
    outgoing = urllib.request.Request(request.url, headers=headers, method=request.method)
    opener = _local_opener if is_loopback(request.url) else _opener
    try:
        with opener.open(outgoing, timeout=TIMEOUT_SECONDS) as answer:
            return _response(answer.status, answer.headers.items(), answer.read(MAX_BODY_BYTES + 1))
    except urllib.error.HTTPError as error:
        with error:
            return _response(error.code, error.headers.items(), error.read(MAX_BODY_BYTES + 1))
    except TimeoutError:
        raise timed_out() from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, (TimeoutError, socket.timeout)):
            raise timed_out() from None
        if isinstance(error.reason, ssl.SSLError):
            raise NetworkError(
                "Could not make a secure connection to Netlify's API: its certificate could not "
                "be verified. A proxy or antivirus that intercepts HTTPS can cause this."
            ) from None
        raise unreachable() from None
    except OSError:
        raise unreachable() from None
    except http.client.HTTPException:
        # Not HTTP at all (a status line of escape sequences, say): its words are not repeated.
        raise BadResponse(
            "The answer from Netlify's API, or from a proxy in between, was not valid HTTP, "
            "so it was not read. Try again shortly."
        ) from None


def _response(status: int, headers: object, body: bytes) -> Response:
    pairs = headers if isinstance(headers, list) else list(headers)  # type: ignore[call-overload]
    return Response(status=status, body=body, headers={k.lower(): v for k, v in pairs})


def check(
    token_text: str,
    team_texts: Sequence[str],
    send: Send = send,
    *,
    now: Clock = utc_now,
    base: str = api.API_BASE,
    memory: Memory | None = None,
    cap: int = CAP,
    deadline: float = TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    on_pause: Callable[[Pause], None] = lambda pause: None,
) -> list[TeamReport]:
    """Check the named teams, or every team the token can see (checker/netlify/check.py), with up to
    `cap` requests in flight at once. Raises CheckError if no team can be checked."""
    running = Check(token_text, team_texts, now=now, base=base, memory=memory, cap=cap)
    return drive(running, Threads(send, deadline), now=now, sleep=sleep, on_pause=on_pause)


class Threads:
    """Sends each request from a thread of its own (urllib blocks), so that a check's requests
    are in flight at once.

    Each request has `deadline` seconds in all, however its answer trickles in (urllib's own
    timeout bounds each read, not the whole). The threads are daemons, so that one still stuck
    when the check is over never holds up the process's exit.
    """

    def __init__(self, send: Send, deadline: float) -> None:
        self._send, self._deadline = send, deadline
        self._answers: queue.SimpleQueue[tuple[int, Outcome]] = queue.SimpleQueue()
        self._due: dict[int, float] = {}  # each request in flight, and when it must have answered

    def start(self, request_id: int, request: Request) -> None:
        self._due[request_id] = time.monotonic() + self._deadline
        args = (self._send, request, request_id, self._answers)
        threading.Thread(target=_send_into, args=args, daemon=True).start()

    def next(self) -> tuple[int, Outcome] | None:
        due = self._due
        while due:
            first_due = min(due.values())
            try:
                request_id, outcome = self._answers.get(
                    timeout=max(0.0, first_due - time.monotonic())
                )
            except queue.Empty:
                request_id, outcome = min(due, key=due.__getitem__), timed_out()
            if due.pop(request_id, None) is not None:  # not one already given up on
                return request_id, outcome
        return None


def _send_into(
    send: Send, request: Request, request_id: int, answers: queue.SimpleQueue[tuple[int, Outcome]]
) -> None:
    try:
        outcome: Outcome = send(request)
    except api.CheckError as error:
        outcome = error
    except Exception:  # noqa: BLE001 - a transport that broke is a request without an answer
        outcome = unreachable()
    answers.put((request_id, outcome))
