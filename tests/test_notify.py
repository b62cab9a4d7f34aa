"""Notifications through the real Apprise (`--notify`, `NETLIFY_NOTIFY`): a local HTTP server is
the target, reached as Apprise's `json://127.0.0.1:PORT/path`, as Slack or ntfy would be. What is
sent, when, and that a notification address (a secret) is never printed."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from checker.outputs import notify
from tests.command_line import run
from tests.fake_github import TOKEN as GITHUB_TOKEN
from tests.fake_github import FakeGitHub
from tests.fake_netlify import FakeNetlify, Reply, bandwidth_figures

SECRET = "hook-s3cret-0123456789"


class Target:
    """A webhook on loopback: it keeps what it is sent, and answers `status`."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        target = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                target.received.append(json.loads(self.rfile.read(length)))
                self.send_response(target.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"json://127.0.0.1:{self.server.server_port}/{SECRET}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def target() -> Iterator[Target]:
    made = Target()
    yield made
    made.close()


def notified(netlify: FakeNetlify, ca_file: Path, *args: str, **env: str) -> Any:
    result = run(netlify, ca_file, *args, extras=True, **env)
    assert SECRET not in result.stdout + result.stderr
    return result


def test_a_team_over_the_threshold_sends_one_message_naming_it_and_its_share(
    netlify: FakeNetlify, ca_file: Path, target: Target
) -> None:
    result = notified(netlify, ca_file, "--fail-over", "80", "--notify", target.url)
    assert result.returncode == 3, result.stderr
    [sent] = target.received
    assert sent["title"] == "Netlify: Side Projects has used 130 % of its bandwidth allowance"
    assert sent["message"] == "Side Projects: 130 GiB of 100 GiB used (130 %)."


def test_nothing_is_sent_when_every_team_is_under(
    netlify: FakeNetlify, ca_file: Path, target: Target
) -> None:
    result = notified(netlify, ca_file, "--fail-over", "200", "--notify", target.url)
    assert result.returncode == 0, result.stderr
    assert target.received == []


def test_with_history_a_team_already_over_is_not_announced_again_and_recovery_is(
    netlify: FakeNetlify, ca_file: Path, target: Target, tmp_path: Path
) -> None:
    kept = str(tmp_path / "readings.jsonl")
    args = ("--fail-over", "80", "--history", kept, "--notify", target.url)
    notified(netlify, ca_file, *args)
    assert len(target.received) == 1
    # The next day, Netlify has a newer figure, still over: no second message.
    figures = bandwidth_figures("side-projects")
    assert figures is not None
    newer = {**figures, "last_updated_at": "2099-01-01T00:00:00Z"}
    netlify.override("/accounts/side-projects/bandwidth", Reply(200, newer))
    notified(netlify, ca_file, *args)
    assert len(target.received) == 1
    # Back under: one message says so.
    under = {**newer, "used": 10 * 2**30, "last_updated_at": "2099-01-02T00:00:00Z"}
    netlify.override("/accounts/side-projects/bandwidth", Reply(200, under))
    result = notified(netlify, ca_file, *args)
    assert result.returncode == 0, result.stderr
    assert target.received[-1]["title"] == "Netlify: every team is back under 80 %"
    assert len(target.received) == 2


def test_a_target_that_refuses_is_one_line_without_its_address(
    netlify: FakeNetlify, ca_file: Path, target: Target
) -> None:
    target.status = 500
    result = notified(
        netlify, ca_file, "--team", "acme", "--fail-over", "20", NETLIFY_NOTIFY=target.url
    )
    # Acme is at 25.3 %: 3, whatever the notification did.
    assert result.returncode == 3
    assert result.stderr == (
        "app.py: the 1st address in NETLIFY_NOTIFY, json://…, was refused: HTTP 500\n"
    )
    under = notified(
        netlify, ca_file, "--team", "acme", "--fail-over", "90", "--notify", "json://127.0.0.1:9/x"
    )
    assert under.returncode == 0  # nothing to send, so nothing failed
    netlify.override("/accounts/acme/bandwidth", Reply(500, "down"), repeat=True)
    failed = notified(
        netlify, ca_file, "--team", "acme", "--fail-over", "20", "--notify", target.url
    )
    assert failed.returncode == 1


def test_a_team_that_could_not_be_checked_is_sent_too(
    netlify: FakeNetlify, ca_file: Path, target: Target
) -> None:
    netlify.override("/accounts/acme/bandwidth", Reply(500, "down"), repeat=True)
    result = notified(netlify, ca_file, "--fail-over", "200", "--notify", target.url)
    assert result.returncode == 1
    [sent] = target.received
    assert sent["title"] == "Netlify: 1 team(s) could not be checked against 200 %"
    assert sent["message"].startswith("Acme Web: not known whether it reached 200 %")


def test_without_apprise_notify_is_a_usage_error_that_says_how_to_install_it(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    result = run(netlify, ca_file, "--fail-over", "80", "--notify", f"slack://{SECRET}")
    assert result.returncode == 2
    assert result.stderr == f"app.py: {notify.INSTALL}\n"
    assert SECRET not in result.stderr and netlify.requests == []


def test_a_target_is_named_by_place_and_scheme_alone() -> None:
    given = notify.targets(
        ["a://1", f"slack://{SECRET}/T0/B0"], {"NETLIFY_NOTIFY": "x " * 10 + SECRET}
    )
    assert given[1].name == "the 2nd --notify target, slack://…"
    assert given[-1].name == "the 11th address in NETLIFY_NOTIFY, an address without a scheme"
    listed = notify.targets([], {}, f"# mine\n\n  ntfy://{SECRET}  \n", "alerts.txt")
    assert [(t.url, t.name) for t in listed] == [
        (f"ntfy://{SECRET}", "the 1st address in alerts.txt, ntfy://…")
    ]


def test_argparses_own_errors_print_no_part_of_an_address_after_its_scheme(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    first, second = f"slack://T000/B000/{SECRET}1", f"slack://T000/B000/{SECRET}2"
    result = run(netlify, ca_file, "--fail-over", "80", "--notify", first, second)
    assert result.returncode == 2
    assert "unrecognized arguments: slack://…" in result.stderr
    assert SECRET not in result.stderr and "T000" not in result.stderr


def test_an_address_apprise_does_not_know_is_named_by_its_place_alone(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    args = ("--team", "acme", "--fail-over", "20", "--notify", f"{SECRET}://x/y")
    result = notified(netlify, ca_file, *args)
    assert result.returncode == 3
    assert (
        result.stderr == "app.py: the 1st --notify target is not an address Apprise can send to\n"
    )


def test_a_file_of_addresses_is_read_and_a_pipe_or_a_link_is_refused(
    netlify: FakeNetlify, ca_file: Path, target: Target, tmp_path: Path
) -> None:
    listed = tmp_path / "notify.txt"
    listed.write_text(f"# the team's channel\n{target.url}\n")
    args = ("--team", "acme", "--fail-over", "20", "--notify-file", str(listed))
    result = notified(netlify, ca_file, *args)
    assert result.returncode == 3, result.stderr
    assert len(target.received) == 1
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    refused = notified(netlify, ca_file, "--fail-over", "20", "--notify-file", str(pipe))
    assert refused.returncode == 2 and "is not a regular file" in refused.stderr
    (tmp_path / "link").symlink_to(listed)
    linked = notified(
        netlify, ca_file, "--fail-over", "20", "--notify-file", str(tmp_path / "link")
    )
    assert linked.returncode == 2 and "symbolic link" in linked.stderr
    assert netlify.api_requests() == [] or len(target.received) == 1


class Trickle:
    """A target that answers a byte a second, as if more were always to come (at most 90)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        connection, _ = self.listener.accept()
        with connection:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 80:
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(1)


def test_a_target_that_trickles_cannot_hold_the_run(netlify: FakeNetlify, ca_file: Path) -> None:
    slow = Trickle()
    started = time.monotonic()
    url = f"json://127.0.0.1:{slow.port}/{SECRET}"
    result = notified(netlify, ca_file, "--team", "acme", "--fail-over", "20", "--notify", url)
    took = time.monotonic() - started
    assert result.returncode == 3
    assert result.stderr == (
        "app.py: the 1st --notify target, json://…, did not take the message within "
        f"{notify.DEADLINE_SECONDS} seconds\n"
    )
    # The deadline, and the process's exit: the thread still reading is given up on.
    assert took < notify.DEADLINE_SECONDS + 30


def test_with_the_alert_issue_it_notifies_when_the_issue_opens_and_when_it_closes(
    netlify: FakeNetlify, ca_file: Path, target: Target
) -> None:
    github = FakeGitHub()
    try:
        env = {
            "GITHUB_API_URL": github.url,
            "GITHUB_REPOSITORY": "owner/sites",
            "GITHUB_TOKEN": GITHUB_TOKEN,
        }
        args = ("--github-issue", "--notify", target.url)
        opened = notified(netlify, ca_file, "--fail-over", "80", *args, **env)
        assert "opened the alert issue #1" in opened.stderr
        again = notified(netlify, ca_file, "--fail-over", "80", *args, **env)
        assert "updated the alert issue #1" in again.stderr
        closed = notified(netlify, ca_file, "--fail-over", "200", *args, **env)
        assert "closed the alert issue #1" in closed.stderr
    finally:
        github.close()
    titles = [sent["title"] for sent in target.received]
    assert titles == [
        "Netlify: Side Projects has used 130 % of its bandwidth allowance",
        "Netlify: every team is back under 200 %",
    ]


# --- what chat services receive: Apprise's real payloads for Slack, Discord and Telegram --------

HOSTILE = (
    "@everyone <@&1234> <!channel> <!here> &lt;!channel&gt; "
    "<https://evil.example/pay|Netlify billing: pay now> <a href='https://evil.example'>pay</a> "
    "[pay](https://evil.example) evil.example/pay"
)
# What would ping or link if it arrived whole.
LIVE = (
    "@everyone",
    "<@&",
    "<!channel>",
    "<!here>",
    "&lt;!channel&gt;",
    "<https://",
    "<a href",
    "](https://",
    "https://evil",
    "evil.example",
)


class Captured:
    """Every request Apprise's plugins make through requests, answered 200 without a network."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import requests

        self.bodies: list[str] = []
        captured = self

        def send(adapter: Any, request: Any, **kwargs: Any) -> Any:
            body = request.body or b""
            captured.bodies.append(body.decode() if isinstance(body, bytes) else str(body))
            answer = requests.Response()
            # Slack's webhook answers "ok"; the others, JSON.
            slack = "hooks.slack.com" in request.url
            answer.status_code, answer._content = 200, b"ok" if slack else b'{"ok": true}'
            answer.request = request
            return answer

        monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)


def test_no_text_from_netlify_can_ping_or_link_in_slack_discord_or_telegram(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.answers import NOW, fake_report

    captured = Captured(monkeypatch)
    over = fake_report("side-projects", {"slug": "side-projects", "name": HOSTILE})
    message = notify.message([(over, "reached")], 80, NOW, "binary")
    assert message is not None
    addresses = [
        "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ",
        "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
        "tgram://123456789:abcdefg_hijklmnopqrstuvwxyz123456/12315544",
    ]
    targets = notify.targets(addresses, {})
    assert notify.send(targets, message) == []
    assert len(captured.bodies) == 3
    for body in captured.bodies:
        text = json.loads(body)
        shown = json.dumps(text, ensure_ascii=False)
        assert "everyone" in shown  # the name arrives, as text
        assert not [live for live in LIVE if live in shown], shown
        # Slack's payload is not read as markup at all.
        assert text.get("mrkdwn", False) is False


def test_every_mention_and_link_is_broken_by_an_invisible_joiner() -> None:
    said = notify.plain(HOSTILE)
    assert said.replace("\u2060", "") == HOSTILE
    assert not [live for live in LIVE if live in said]
    assert notify.plain("Acme 25.3 % of 100 GiB") == "Acme 25.3 % of 100 GiB"  # numbers stay
