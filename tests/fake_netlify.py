"""A fake Netlify API: a real HTTPS server on loopback playing the answers that
docs/netlify-api.md describes.

Browsers reach it as api.netlify.com through Chromium's --host-resolver-rules; the command line
reaches it through NETLIFY_API_URL. Each test picks the answers it needs with `override()`.
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import trustme

from checker.netlify.samples import RECORDED_INCLUDED, RECORDED_USED
from tests import fake_sites

TOKEN = "nfp_fakeTOKEN4testing0123456789abcdefABCDEF"
PREFIX = "/api/v1"
# The figures the pages check by default: team acme's, under PREFIX.
BANDWIDTH = "/accounts/acme/bandwidth"

GIB = 1024**3

# Three teams: one comfortably inside its allowance, one over it, one on a credit-based plan.
# A legacy account object for a team with no allowance (a plan that includes no bandwidth).
NO_ALLOWANCE = {
    "slug": "credits-co",
    "name": "Credits Co",
    "type_name": "Custom",
    "capabilities": {},
}
TEAMS: list[dict[str, Any]] = [
    {
        "id": "5f0a1",
        "name": "Acme Web",
        "slug": "acme",
        "type_name": "Pro",
        "roles_allowed": ["Owner"],
        "capabilities": {
            "sites": {"included": 500, "used": 12},
            "collaborators": {"included": 3, "used": 2},
            "bandwidth": {"included": RECORDED_INCLUDED, "used": RECORDED_USED},
            "build_minutes": {"included": 25000, "used": 4100},
        },
    },
    {
        "id": "5f0a2",
        "name": "Side Projects",
        "slug": "side-projects",
        "type_name": "Starter",
        "capabilities": {
            "sites": {"included": 500, "used": 3},
            "bandwidth": {"included": 100 * GIB, "used": 130 * GIB},
            "build_minutes": {"included": 300, "used": 41},
        },
    },
    {
        "id": "5f0a3",
        "name": "Credits Co",
        "slug": "credits-co",
        "type_name": "Free",
        # A credit plan: its credits counted, their use reading 0 (netlify/open-api issue 640).
        "capabilities": {
            "sites": {"included": 500, "used": 2},
            "credits": {"included": 300, "used": 0},
        },
        # What public scripts saw in a credit team's account object; its billing cycle is
        # added when it is answered (CYCLES).
        "plan_credits": 300,
        "lifecycle_state": "active",
        "usages_exceeded": [],
        "sites_with_usage_exceeded": [],
        "auto_topup_enabled": False,
        "plan_auto_topup_amount": 0,
    },
]
# Each credit team's billing cycle, in days from today: Credits Co's is its bandwidth's period.
CYCLES = {"credits-co": (-20, 10)}

PACIFIC = timezone(timedelta(hours=-8))


def _day(days_from_now: int) -> str:
    """A period boundary as Netlify writes them: midnight, US-Pacific offset, milliseconds."""
    when = datetime.now(PACIFIC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (when + timedelta(days=days_from_now)).isoformat(timespec="milliseconds")


def with_cycle(team: dict[str, Any]) -> dict[str, Any]:
    """A team's account object as answered: a credit team's billing cycle around today."""
    cycle = CYCLES.get(team["slug"])
    if cycle is None or "current_billing_period_start" in team:
        return team
    start, end = cycle
    return {
        **team,
        "current_billing_period_start": _day(start),
        "next_billing_period_start": _day(end),
    }


def _ago(minutes: int, style: str = "+00:00") -> str:
    when = datetime.now(UTC) - timedelta(minutes=minutes)
    text = when.isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z") if style == "Z" else text


def bandwidth_figures(slug: str) -> dict[str, Any] | None:
    """Each team's bandwidth answer, with a billing period around today (20 of 30 days gone)."""
    figures: dict[str, dict[str, Any]] = {
        "acme": {
            "used": RECORDED_USED,
            "included": RECORDED_INCLUDED,
            "additional": 0,
            "last_updated_at": _ago(12),
            "period_start_date": _day(-20),
            "period_end_date": _day(10),
        },
        "side-projects": {
            "additional": 0,
            "included": 100 * GIB,
            "used": 130 * GIB,
            "period_end_date": _day(10),
            "period_start_date": _day(-20),
            "last_updated_at": _ago(75, "Z"),
        },
        # 4.5 GB: 90 of its 300 credits at 20 credits per GB.
        "credits-co": {
            "used": 4_500_000_000,
            "included": 0,
            "additional": 0,
            "last_updated_at": _ago(3, "Z"),
            "period_start_date": _day(-20),
            "period_end_date": _day(10),
        },
    }
    return figures.get(slug)


ETAG = 'W/"5c3d9e1f"'


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | list[Any] | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False  # hold the connection open without answering
    reset: bool = False  # drop the connection without answering
    endless: bool = False  # send the body, then hold the connection as if more were to come

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode(), "application/json; charset=utf-8"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return self.body, "application/json; charset=utf-8"


def error(status: int, message: str) -> Reply:
    return Reply(status, {"code": status, "message": message})


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class FakeNetlify:
    def __init__(self, ca: trustme.CA, host: str = "127.0.0.1") -> None:
        self.ca = ca
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._overrides: dict[str, list[Reply]] = {}
        self._repeat: dict[str, bool] = {}
        # Netlify stores each figure and sends the same answer until it updates it.
        self._figures: dict[str, dict[str, Any] | None] = {}
        self.cors = True
        self.expose_headers = False
        # The least Netlify's CORS answer could be: Authorization allowed, nothing exposed.
        self.strict_cors = False
        self.release = threading.Event()
        # Paths whose answers wait for `release`, then come as usual.
        self.held: set[str] = set()
        # Seconds every answer, preflights included, waits: a slow link to Netlify.
        self.delay = 0.0
        # Teams beyond TEAMS that the token can see, each with acme's figures.
        self.more_teams: list[dict[str, Any]] = []
        # Each team's sites, and each site's deploys (tests/fake_sites.py).
        self.sites = fake_sites.default_sites()
        self.deploys = fake_sites.default_deploys()
        self.in_flight = 0
        self.most_in_flight = 0
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("api.netlify.com", "localhost", "127.0.0.1").configure_cert(context)
        fake = self

        class Handler(_Handler):
            netlify = fake

        self.server = _QuietServer((host, 0), Handler)
        self.server.daemon_threads = True
        # The handshake happens in the handler's thread, so one stuck client cannot block others.
        self.server.socket = context.wrap_socket(
            self.server.socket, server_side=True, do_handshake_on_connect=False
        )
        self.port = self.server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}{PREFIX}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def override(self, path: str, *replies: Reply, repeat: bool = False) -> None:
        """Answer `path` (under /api/v1) with these replies in turn, then as usual.

        With `repeat`, the last reply goes on being given instead.
        """
        with self._lock:
            self._overrides[PREFIX + path] = list(replies)
            self._repeat[PREFIX + path] = repeat

    def reset(self) -> None:
        self.release.set()
        with self._lock:
            self._overrides.clear()
            self.requests.clear()
            self._figures.clear()
        self.server.connections = 0
        self.cors = True
        self.expose_headers = False
        self.strict_cors = False
        self.release = threading.Event()
        self.held = set()
        self.delay = 0.0
        self.more_teams = []
        self.sites = fake_sites.default_sites()
        self.deploys = fake_sites.default_deploys()
        self.most_in_flight = 0

    def hold(self, path: str) -> None:
        """Answer `path` (under /api/v1) only once the test sets `release`."""
        self.held.add(PREFIX + path)

    def api_requests(self) -> list[Seen]:
        """The requests that reached the API, preflights left out."""
        return [r for r in self.requests if r.method != "OPTIONS"]

    def bandwidth_requests(self) -> list[Seen]:
        """The requests for figures, leaving out a named team's details (getAccount)."""
        return [r for r in self.api_requests() if r.path.endswith("/bandwidth")]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def answer(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            # An override for a path holds whatever its query asks.
            path = seen.path if seen.path in self._overrides else seen.path.split("?")[0]
            replies = self._overrides.get(path)
            if replies:
                keep = self._repeat[path] and len(replies) == 1
                return replies[0] if keep else replies.pop(0)
        return self._default(seen)

    def _default(self, seen: Seen) -> Reply:
        if seen.headers.get("authorization") != f"Bearer {TOKEN}":
            return error(401, "Access Denied")
        teams = TEAMS + self.more_teams
        teams = [with_cycle(team) for team in teams]
        if seen.path == PREFIX + "/accounts":
            return Reply(200, teams)
        address, _, query = seen.path.partition("?")
        parts = address.removeprefix(PREFIX + "/").split("/")
        if len(parts) == 2 and parts[1] == "sites" and parts[0] != "accounts":
            return Reply(200, fake_sites.page_of(self.sites.get(parts[0], []), query))
        if len(parts) == 2 and parts[0] == "sites":
            # getSite, as a build asks it for the team of the site it builds.
            owners = [(slug, site) for slug, sites in self.sites.items() for site in sites]
            found = [
                {**site, "account_slug": slug} for slug, site in owners if site["id"] == parts[1]
            ]
            return Reply(200, found[0]) if found else error(404, "Not Found")
        if len(parts) == 3 and parts[0] == "sites" and parts[2] == "deploys":
            if parts[1] not in self.deploys:
                return error(404, "Not Found")
            return Reply(200, fake_sites.page_of(self.deploys[parts[1]], query))
        if len(parts) == 2 and parts[0] == "accounts":
            team = next((team for team in teams if team["slug"] == parts[1]), None)
            return Reply(200, team) if team else error(404, "Not Found")
        if len(parts) == 3 and parts[0] == "accounts" and parts[2] == "bandwidth":
            more = any(team["slug"] == parts[1] for team in self.more_teams)
            with self._lock:
                figures = self._figures.setdefault(
                    parts[1], bandwidth_figures("acme" if more else parts[1])
                )
            if figures is None:
                return error(404, "Not Found")
            if seen.headers.get("if-none-match") == ETAG:
                return Reply(304, b"", {"ETag": ETAG})
            return Reply(200, figures, {"ETag": ETAG})
        return Reply(404, "Not Found")


class _QuietServer(ThreadingHTTPServer):
    connections = 0  # accepted since the last reset: a preconnect opens one without a request

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1
        super().process_request(request, client_address)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up or refuse the certificate mid-handshake are expected here.
        pass


class _Handler(BaseHTTPRequestHandler):
    netlify: FakeNetlify
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        # As a real server does: without it, Nagle's algorithm and delayed ACKs hold each
        # small response back some 40 ms, which no real API would.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_OPTIONS(self) -> None:
        self.netlify.requests.append(Seen("OPTIONS", self.path, self._headers()))
        time.sleep(self.netlify.delay)
        self.send_response(204)
        if self.netlify.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
            allowed = "Authorization" if self.netlify.strict_cors else "Authorization, Content-Type"
            self.send_header("Access-Control-Allow-Headers", allowed)
            self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        netlify = self.netlify
        with netlify._lock:
            netlify.in_flight += 1
            netlify.most_in_flight = max(netlify.most_in_flight, netlify.in_flight)
        try:
            time.sleep(netlify.delay)
            if self.path in netlify.held:
                netlify.release.wait(60)
            self._answer()
        finally:
            with netlify._lock:
                netlify.in_flight -= 1

    def _answer(self) -> None:
        reply = self.netlify.answer(Seen("GET", self.path, self._headers()))
        if reply.stall:
            self.netlify.release.wait(60)
            self.close_connection = True
            return
        if reply.reset:
            # SO_LINGER 0 makes close() send a TCP reset instead of an orderly goodbye.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        body, content_type = reply.encoded()
        self.send_response(reply.status)
        if self.netlify.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
            if self.netlify.expose_headers and not self.netlify.strict_cors:
                self.send_header(
                    "Access-Control-Expose-Headers",
                    "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, "
                    "X-RateLimit-Reset",
                )
        # As recorded on real answers: private, revalidated, varying with the caller.
        headers = {
            "Content-Type": content_type,
            "Cache-Control": "max-age=0, private, must-revalidate",
            "Vary": "Accept, Origin",
            **reply.headers,
        }
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) * (100 if reply.endless else 1)))
        self.end_headers()
        self.wfile.write(body)
        if reply.endless:
            self.wfile.flush()
            self.netlify.release.wait(60)
            self.close_connection = True

    def _headers(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers.items()}


def rate_limit_reset_in(seconds: int, *, recorded_form: bool = False) -> dict[str, str]:
    """A 429's headers: the reset as unix seconds (what Netlify's clients parse), or in the
    form recorded from Netlify itself, "2024-06-12 09:53:37 UTC", in Retry-After too."""
    at = int(time.time()) + seconds
    if not recorded_form:
        reset = {"X-RateLimit-Reset": str(at)}
    else:
        when = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        reset = {"X-RateLimit-Reset": when, "Retry-After": when}
    return {"X-RateLimit-Limit": "500", "X-RateLimit-Remaining": "0", **reset}
