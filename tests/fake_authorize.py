"""A fake of Netlify's OAuth authorization page, app.netlify.com/authorize: a real HTTPS server on
loopback that browsers reach under Netlify's name, the way they reach the fake API.

As Netlify does for an OAuth application that asks for the implicit grant, it checks the client
ID and the registered redirect address, then sends the browser back there with
`#access_token=…&token_type=Bearer&state=…`, or `#error=access_denied&state=…` when the person
declines. `decision` picks which; "consent" shows a page with an Authorize link instead, sent with
`opener_policy` as its Cross-Origin-Opener-Policy when one is set. `fields`, when set, is what
the answer carries instead (with the state), for answers of odd shapes.
"""

from __future__ import annotations

import html
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import trustme

from tests.fake_netlify import TOKEN

CLIENT_ID = "bandwidth-checker-test-client"


@dataclass
class Asked:
    path: str
    headers: dict[str, str]


class FakeAuthorize:
    def __init__(self, ca: trustme.CA) -> None:
        self.asked: list[Asked] = []
        self.redirect_uris: set[str] = set()
        self.reset()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("app.netlify.com").configure_cert(context)
        fake = self

        class Handler(_Handler):
            authorize = fake

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(
            self.server.socket, server_side=True, do_handshake_on_connect=False
        )
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        self.asked.clear()
        self.decision = "approve"  # or "decline", or "consent"
        self.opener_policy: str | None = None
        self.fields: dict[str, str] | None = None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        if parts.path != "/authorize":
            return 404, {}, "Not Found"
        redirect = query.get("redirect_uri", "")
        problems = [
            "unknown client_id" if query.get("client_id") != CLIENT_ID else None,
            "response_type must be token" if query.get("response_type") != "token" else None,
            "redirect_uri is not the application's" if redirect not in self.redirect_uris else None,
        ]
        if any(problems):
            return 400, {}, "; ".join(p for p in problems if p)
        back = {"state": query["state"]} if "state" in query else {}
        if self.fields is not None:
            return 302, {"Location": f"{redirect}#{urlencode({**self.fields, **back})}"}, ""
        if self.decision == "decline":
            return (
                302,
                {"Location": f"{redirect}#{urlencode({'error': 'access_denied', **back})}"},
                "",
            )
        granted = f"{redirect}#{urlencode({'access_token': TOKEN, 'token_type': 'Bearer', **back})}"
        if self.decision == "consent":
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if self.opener_policy:
                headers["Cross-Origin-Opener-Policy"] = self.opener_policy
            page = (
                '<!doctype html><html lang="en"><title>Authorize</title>'
                f'<a id="authorize" href="{html.escape(granted)}">Authorize</a></html>'
            )
            return 200, headers, page
        return 302, {"Location": granted}, ""


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a browser that probes the certificate before it trusts it hangs up mid-handshake


class _Handler(BaseHTTPRequestHandler):
    authorize: FakeAuthorize
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        seen = {name.lower(): value for name, value in self.headers.items()}
        self.authorize.asked.append(Asked(self.path, seen))
        status, headers, body = self.authorize.answer(self.path)
        data = body.encode()
        self.send_response(status)
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
