"""The one place that does I/O: send a `Request`, return the `Response`, whatever its status.

On CPython this is plain `urllib`. In the browser, pyodide-http has patched `urllib` to use a
synchronous XMLHttpRequest, so the same code runs there; the differences it brings (no HTTPError
for 4xx/5xx, JavaScript errors for refused or dropped connections, no timeout) are absorbed here.
"""

from __future__ import annotations

import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable

from checker.api import MAX_BODY_BYTES, NetworkError, Request, Response, TimedOut
from checker.inputs import is_loopback

TIMEOUT_SECONDS = 20
# Named on the command line; in the browser pyodide-http leaves it out, since a page's own
# User-Agent would be one more header for Netlify's CORS answer to allow.
USER_AGENT = "netlify-bandwidth-checker/1.0 (Python; the Netlify bandwidth checker command line)"

Send = Callable[[Request], Response]


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
        raise _unreachable() from None
    except Exception as error:
        if _is_browser_failure(error) or isinstance(error, OSError):
            raise _unreachable() from None
        raise


def _response(status: int, headers: object, body: bytes) -> Response:
    pairs = headers if isinstance(headers, list) else list(headers)  # type: ignore[call-overload]
    return Response(status=status, body=body, headers={k.lower(): v for k, v in pairs})


def _is_browser_failure(error: Exception) -> bool:
    return type(error).__name__ == "JsException"


def timed_out() -> TimedOut:
    return TimedOut(
        f"Netlify did not answer within {TIMEOUT_SECONDS} seconds. "
        "Check your connection, then try again."
    )


def _unreachable() -> NetworkError:
    return NetworkError(
        "Could not reach Netlify's API: you may be offline, or something between you and "
        "api.netlify.com (a firewall, VPN or browser extension) blocked the request."
    )
