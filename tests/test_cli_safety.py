"""`python3 app.py` against what a hostile team owner, answer, file or server can send: escape
sequences, digits of other scripts, a server that is not HTTP, history files made to break a
reader or to be followed through a link. A real process, the fake API over HTTPS."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.command_line import run
from tests.conftest import ROOT
from tests.fake_netlify import (
    BANDWIDTH,
    TOKEN,
    FakeNetlify,
    Reply,
    bandwidth_figures,
    error,
)

# Written by whoever owns a team: a window title, the clipboard (OSC 52), a line rewritten by a
# carriage return, a cleared screen through the one-byte C1 CSI, and a bidirectional override.
HOSTILE_NAME = "Acme\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4=\x07\rEvil\x9b2J\u202etxt.exe"


def test_escape_sequences_in_netlifys_text_never_reach_the_terminal(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    teams = [
        {
            "slug": "acme",
            "name": HOSTILE_NAME,
            "type_name": "Pro\x1b[31m",
            "capabilities": {"\x1b[2Jsites": {"included": 500, "used": 12}},
        },
        {"slug": "side-projects", "name": "Side\x1b[1A\x1b[2K", "type_name": "Starter"},
    ]
    netlify.override("/accounts", Reply(200, teams))
    netlify.override("/accounts/side-projects/bandwidth", error(418, "tea\x1b[8m"))
    result = run(netlify, ca_file)
    assert result.returncode == 1
    for stream in (result.stdout, result.stderr):
        assert not [c for c in stream if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F]
        assert "\u202e" not in stream
    # Still legible: each control character stands as one visible mark, and the figures stand.
    assert (
        "Acme\ufffd]0;pwned\ufffd\ufffd]52;c;cm0gLXJmIH4=\ufffd\ufffdEvil\ufffd2J" in result.stdout
    )
    assert "25.3 GiB of 100 GiB" in result.stdout
    assert "\ufffd[2jsites" in result.stdout


def test_escape_sequences_in_json_stay_escaped(netlify: FakeNetlify, ca_file: Path) -> None:
    netlify.override("/accounts", Reply(200, [{"slug": "acme", "name": HOSTILE_NAME}]))
    result = run(netlify, ca_file, "--json")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout
    assert json.loads(result.stdout)["teams"][0]["name"] == HOSTILE_NAME


# --- the second security review: what a hostile answer, file or server can no longer do -----------


def no_control_characters(text: str) -> bool:
    return not [c for c in text if (ord(c) < 32 and c not in "\n") or 0x7F <= ord(c) <= 0x9F]


def test_a_count_in_other_digits_is_a_sentence_never_a_traceback(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    figures = bandwidth_figures("acme")
    assert figures is not None
    netlify.override(BANDWIDTH, Reply(200, {**figures, "used": "²"}))
    result = run(netlify, ca_file)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "acme: Netlify's answer had an unusable “used” figure" in result.stderr
    assert "130 GiB of 100 GiB used" in result.stdout  # the other teams still stand


def test_a_server_that_is_not_http_is_one_scrubbed_line(tmp_path: Path) -> None:
    # A status line of escape sequences, from a server (or an HTTPS_PROXY) that is no API.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def answer() -> None:
        while True:  # the team's figures and its details
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # closed: the test is over
            with connection:
                connection.recv(65536)
                connection.sendall(b"\x1b]0;pwned\x07\x1b[2J 200 OK\r\n\r\n")

    threading.Thread(target=answer, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/v1"
    result = subprocess.run(
        [sys.executable, "-S", str(ROOT / "app.py"), "--team", "acme"],
        capture_output=True,
        text=True,
        env={
            "PATH": os.environ.get("PATH", ""),
            "NETLIFY_API_URL": url,
            "NETLIFY_AUTH_TOKEN": TOKEN,
        },
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    listener.close()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert no_control_characters(result.stderr)
    assert result.stderr.count("\n") == 1
    assert "was not valid HTTP" in result.stderr


def write_history(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines))


def test_history_lines_made_to_break_a_reader_are_skipped(
    netlify: FakeNetlify, ca_file: Path, tmp_path: Path
) -> None:
    from tests.test_history import hostile_lines

    kept = tmp_path / "bandwidth.jsonl"
    write_history(kept, hostile_lines())
    result = run(netlify, ca_file, "--team", "acme", "--history", str(kept))
    assert result.returncode == 0, result.stderr
    assert "25.3 GiB of 100 GiB used" in result.stdout
    lines = kept.read_text().splitlines()
    assert len(lines) == len(hostile_lines()) + 1  # the cron job's record goes on
    assert json.loads(lines[-1])["slug"] == "acme"


def test_a_new_history_file_is_the_owners_alone(
    netlify: FakeNetlify, ca_file: Path, tmp_path: Path
) -> None:
    kept = tmp_path / "bandwidth.jsonl"
    result = run(netlify, ca_file, "--team", "acme", "--history", str(kept))
    assert result.returncode == 0, result.stderr
    assert kept.stat().st_mode & 0o777 == 0o600


def test_a_history_file_that_is_a_symbolic_link_is_not_followed(
    netlify: FakeNetlify, ca_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "someone-elses.txt"
    target.write_text("their file\n")
    link = tmp_path / "bandwidth.jsonl"
    link.symlink_to(target)
    result = run(netlify, ca_file, "--team", "acme", "--history", str(link))
    assert result.returncode == 1
    assert "25.3 GiB of 100 GiB used" in result.stdout
    assert "is a symbolic link, which the checker does not follow" in result.stderr
    assert target.read_text() == "their file\n"


@pytest.mark.parametrize("option", ["--summary", "--history"])
def test_a_file_named_on_the_command_line_is_never_followed_through_a_link(
    netlify: FakeNetlify, ca_file: Path, tmp_path: Path, option: str
) -> None:
    target = tmp_path / "someone-elses.txt"
    target.write_text("their file\n")
    link = tmp_path / "named.md"
    link.symlink_to(target)
    result = run(netlify, ca_file, "--team", "acme", option, str(link))
    assert result.returncode == 1
    assert f"{link}: is a symbolic link, which the checker does not follow" in result.stderr
    assert result.stderr.count("\n") == 1
    assert target.read_text() == "their file\n"


@pytest.mark.parametrize("option", ["--summary", "--history"])
def test_a_file_named_on_the_command_line_is_the_owners_alone(
    netlify: FakeNetlify, ca_file: Path, tmp_path: Path, option: str
) -> None:
    made = tmp_path / "new-file"
    result = run(netlify, ca_file, "--team", "acme", option, str(made))
    assert result.returncode == 0, result.stderr
    assert made.stat().st_mode & 0o777 == 0o600 and made.read_text()


@pytest.mark.parametrize("option", ["--summary", "--history"])
def test_a_pipe_named_on_the_command_line_is_refused_never_waited_on(
    netlify: FakeNetlify, ca_file: Path, tmp_path: Path, option: str
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run(netlify, ca_file, "--team", "acme", option, str(fifo))
    assert result.returncode == 1
    assert f"{fifo}: is not a regular file (a pipe, a device or a folder)" in result.stderr


def test_a_token_with_hyphens_given_as_the_team_is_never_sent_or_printed(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    tokenish = "Zx4-Hq8vT2mLpR7kW9yB3nC6dF1gJ5sA0eU-rYiOo"
    result = run(netlify, ca_file, "--team", tokenish)
    assert result.returncode == 1
    assert "looks like a token, not a team slug" in result.stderr
    assert tokenish not in result.stderr + result.stdout
    assert netlify.requests == []


def test_quiet_prints_no_team_figure_or_name_for_a_log_others_read(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    # The second security review, finding 1: the daily workflow printed every card to its log.
    result = run(netlify, ca_file, "--fail-over", "80", "--quiet")
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr == "app.py: a team has reached 80 %\n"
    netlify.override("/accounts/side-projects/bandwidth", error(403, "Forbidden"))
    failed = run(netlify, ca_file, "--quiet")
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr == (
        "app.py: 1 team(s) could not be checked; run without --quiet to see which and why\n"
    )
