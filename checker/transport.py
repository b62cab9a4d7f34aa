"""The command line's I/O: send a `Request` with `urllib` and return the `Response`, whatever its
status; and run a check's requests at once, from a few threads (urllib blocks).

The browser does its own I/O (static/worker.js sends the same requests with `fetch`), so nothing
the page's Python imports comes from here.
"""

from __future__ import annotations

import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from checker import api
from checker.api import (
    MAX_BODY_BYTES,
    TIMEOUT_SECONDS,
    NetworkError,
    Request,
    Response,
    Send,
    timed_out,
    unreachable,
)
from checker.check import CAP, Check, Clock, Memory, Outcome, TeamReport, utc_now
from checker.inputs import is_loopback

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
) -> list[TeamReport]:
    """Check the named teams, or every team the token can see (checker/check.py), with up to
    `cap` requests in flight at once. Raises CheckError if no team can be checked."""
    running = Check(token_text, team_texts, now=now, base=base, memory=memory, cap=cap)
    pool = ThreadPoolExecutor(max_workers=cap)
    in_flight: dict[Future[Response], int] = {}
    try:
        while not running.finished:
            for request_id, request in running.requests():
                in_flight[pool.submit(send, request)] = request_id
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                request_id = in_flight.pop(future)
                try:
                    outcome: Outcome = future.result()
                except api.CheckError as error:
                    outcome = error
                running.receive(request_id, outcome)
    finally:
        # A check that has ended early does not wait for the requests still in flight.
        pool.shutdown(wait=False, cancel_futures=True)
    return running.reports()
