"""A fake of GitHub's REST API for the alert issue (checker/outputs/alert_issue.py): a real HTTP
server on loopback that keeps issues in memory and records every request.

It plays what the alert issue must cope with: issues by other authors (`add_issue`), open
issues paged 100 at most with a `Link` header, a token without `issues: write` (`refuse`), a
redirect to another server (`redirect_to`), and the secondary rate limit (`rate_limited`).
The Actions token writes as `github-actions[bot]`, and GET /user refuses it, as GitHub does.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "ghs_fakeGitHubToken0123456789"
BOT = "github-actions[bot]"


class FakeGitHub:
    def __init__(self) -> None:
        self.issues: list[dict[str, Any]] = []
        self.comments: list[tuple[int, str]] = []
        self.requests: list[tuple[str, str]] = []
        # Every Authorization header that reached this server.
        self.authorizations: list[str] = []
        self.refuse = False
        self.rate_limited = False
        self.redirect_to: str | None = None
        fake = self

        class Handler(_Handler):
            github = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_issue(self, title: str, body: str, author: str, **more: Any) -> dict[str, Any]:
        issue = {
            "number": len(self.issues) + 1,
            "state": "open",
            "title": title,
            "body": body,
            "user": {"login": author},
            **more,
        }
        self.issues.append(issue)
        return issue

    def answer(
        self, method: str, path: str, body: Any, token: str
    ) -> tuple[int, Any, dict[str, str]]:
        self.requests.append((method, path))
        self.authorizations.append(token)
        if self.redirect_to is not None:
            return 302, None, {"Location": self.redirect_to + path}
        if token != f"Bearer {TOKEN}":
            return 401, {"message": "Bad credentials"}, {}
        if self.rate_limited:
            message = "You have exceeded a secondary rate limit. Please wait a few minutes."
            return 403, {"message": message}, {}
        address = urlsplit(path)
        parts = address.path.strip("/").split("/")
        if parts == ["user"]:
            return 403, {"message": "Resource not accessible by integration"}, {}
        if parts[:3] != ["repos", "owner", "sites"] or len(parts) < 4 or parts[3] != "issues":
            return 404, {"message": "Not Found"}, {}
        if method == "GET" and len(parts) == 4:
            return self._page(address.path, parse_qs(address.query))
        if self.refuse:
            return 403, {"message": "Resource not accessible by integration"}, {}
        if method == "POST" and len(parts) == 4:
            return 201, self.add_issue(author=BOT, **body), {}
        number = int(parts[4])
        issue = self.issues[number - 1]
        if method == "PATCH" and len(parts) == 5:
            issue.update(body)
            return 200, issue, {}
        if method == "POST" and parts[5:] == ["comments"]:
            self.comments.append((number, body["body"]))
            return 201, {"id": len(self.comments)}, {}
        return 404, {"message": "Not Found"}, {}

    def _page(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        """Open issues, newest first, as GitHub lists them, a page at a time."""
        per_page = min(100, int(query.get("per_page", ["30"])[0]))
        page = int(query.get("page", ["1"])[0])
        listed = [issue for issue in reversed(self.issues) if issue["state"] == "open"]
        shown = listed[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(listed):
            after = f"{self.url}{path}?state=open&per_page={per_page}&page={page + 1}"
            headers["Link"] = f'<{after}>; rel="next"'
        return 200, shown, headers


class _Handler(BaseHTTPRequestHandler):
    github: FakeGitHub

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PATCH(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        status, document, headers = self.github.answer(
            self.command, self.path, body, self.headers.get("Authorization", "")
        )
        raw = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)
