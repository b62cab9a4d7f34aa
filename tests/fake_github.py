"""A fake of GitHub's REST API for the alert issue (checker/alert_issue.py): a real HTTP server
on loopback that keeps issues in memory and records every request. `refuse` plays a token without
`issues: write`."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

TOKEN = "ghs_fakeGitHubToken0123456789"


class FakeGitHub:
    def __init__(self) -> None:
        self.issues: list[dict[str, Any]] = []
        self.comments: list[tuple[int, str]] = []
        self.requests: list[tuple[str, str]] = []
        self.refuse = False
        fake = self

        class Handler(_Handler):
            github = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, method: str, path: str, body: Any, token: str) -> tuple[int, Any]:
        self.requests.append((method, path))
        if token != f"Bearer {TOKEN}":
            return 401, {"message": "Bad credentials"}
        address = urlsplit(path)
        parts = address.path.strip("/").split("/")
        if parts[:3] != ["repos", "owner", "sites"] or len(parts) < 4 or parts[3] != "issues":
            return 404, {"message": "Not Found"}
        if method == "GET" and len(parts) == 4:
            return 200, [issue for issue in self.issues if issue["state"] == "open"]
        if self.refuse:
            return 403, {"message": "Resource not accessible by integration"}
        if method == "POST" and len(parts) == 4:
            issue = {"number": len(self.issues) + 1, "state": "open", **body}
            self.issues.append(issue)
            return 201, issue
        number = int(parts[4])
        issue = self.issues[number - 1]
        if method == "PATCH" and len(parts) == 5:
            issue.update(body)
            return 200, issue
        if method == "POST" and parts[5:] == ["comments"]:
            self.comments.append((number, body["body"]))
            return 201, {"id": len(self.comments)}
        return 404, {"message": "Not Found"}


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
        status, document = self.github.answer(
            self.command, self.path, body, self.headers.get("Authorization", "")
        )
        raw = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)
