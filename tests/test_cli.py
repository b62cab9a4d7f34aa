"""`python3 app.py` as a person or a cron job runs it: a real process, the fake API over HTTPS."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import socket
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fake_netlify import (
    BANDWIDTH,
    TOKEN,
    FakeNetlify,
    Reply,
    bandwidth_figures,
    error,
    rate_limit_reset_in,
)

CREDITS = "/accounts/credits-co/bandwidth"


def environment_for(netlify: FakeNetlify, ca_file: Path, **env: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "NETLIFY_API_URL": netlify.url,
        "SSL_CERT_FILE": str(ca_file),
        **env,
    }


def run(
    netlify: FakeNetlify, ca_file: Path, *args: str, token: str | None = TOKEN, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = environment_for(netlify, ca_file, **env)
    if token is not None:
        environment["NETLIFY_AUTH_TOKEN"] = token
    # -S: no site-packages, proving the command needs nothing beyond Python itself.
    return subprocess.run(
        [sys.executable, "-S", str(ROOT / "app.py"), *args],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def test_every_team_in_words(netlify: FakeNetlify, ca_file: Path) -> None:
    result = run(netlify, ca_file)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Acme Web · Pro · acme" in out
    assert "25.3 GiB of 100 GiB used (25.3 %)" in out
    assert re.search(r"Remaining +74.7 GiB", out)
    assert "Side Projects · Starter · side-projects" in out
    assert re.search(r"Over by +30 GiB", out)
    assert re.search(r"Sites +12 of 500", out)
    # The credit team: its bandwidth in credits, never an allowance it could be over.
    assert "Credits Co · Free · credits-co" in out
    assert "90 of 300 credits spent on bandwidth (30 %)" in out
    assert re.search(r"Rate +20 credits per GB since 14 Apr 2026", out)
    assert "A GB is taken as 10⁹ bytes" in out
    assert "usage not reported" not in out
    assert re.search(r"Days left +10", out)
    assert "12 minutes ago" in out
    assert result.stderr == ""


def test_one_team_in_decimal_units(netlify: FakeNetlify, ca_file: Path) -> None:
    result = run(netlify, ca_file, "--team", "acme", "--units", "decimal")
    assert result.returncode == 0, result.stderr
    assert "27.2 GB of 107 GB used (25.3 %)" in result.stdout
    assert "Side Projects" not in result.stdout
    # The figures, and with them the team's details: its name, plan and quotas.
    assert sorted(r.path for r in netlify.api_requests()) == [
        "/api/v1/accounts/acme",
        "/api/v1/accounts/acme/bandwidth",
    ]
    assert "Acme Web · Pro · acme" in result.stdout
    assert re.search(r"\n  Sites +12 of 500\n", result.stdout)


def test_a_team_whose_plan_cannot_be_had_is_never_over_a_threshold(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    """Without Netlify's account object there is no telling an allowance from credits."""
    netlify.override("/accounts/side-projects", error(500, "Internal Server Error"), repeat=True)
    result = run(netlify, ca_file, "--team", "side-projects", "--fail-over", "50")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("side-projects\n  130 GiB used\n")


def test_a_rejected_token_is_one_line_on_stderr_and_nothing_on_stdout(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    result = run(netlify, ca_file, "--json", token="nfp_wrong")
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "rejected this token" in line
    assert "nfp_wrong" not in result.stderr


def test_an_unknown_team_is_named(netlify: FakeNetlify, ca_file: Path) -> None:
    result = run(netlify, ca_file, "--team", "acme-typo")
    assert (result.returncode, result.stdout) == (1, "")
    assert "“acme-typo”" in result.stderr


def test_a_bad_slug_never_reaches_the_network(netlify: FakeNetlify, ca_file: Path) -> None:
    result = run(netlify, ca_file, "--team", "../user")
    assert result.returncode == 1
    assert "letters, digits and hyphens" in result.stderr
    assert netlify.requests == []


def test_a_team_that_fails_is_reported_and_the_others_still_shown(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    netlify.override("/accounts/side-projects/bandwidth", error(403, "Forbidden"))
    result = run(netlify, ca_file)
    assert result.returncode == 1
    assert "25.3 GiB of 100 GiB" in result.stdout
    assert "side-projects: This token is not allowed to read “side-projects”" in result.stderr


def test_a_team_that_refuses_the_token_is_that_teams_problem(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    netlify.override("/accounts/side-projects/bandwidth", error(401, "Access Denied"))
    result = run(netlify, ca_file)
    assert result.returncode == 1
    assert "25.3 GiB of 100 GiB" in result.stdout
    assert "side-projects: Netlify refused this token for “side-projects”" in result.stderr
    assert "rejected this token" not in result.stderr


def test_when_every_team_refuses_the_token_the_token_is_rejected(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    for team in ("acme", "side-projects", "credits-co"):
        netlify.override(f"/accounts/{team}/bandwidth", error(401, "Access Denied"))
    result = run(netlify, ca_file)
    assert (result.returncode, result.stdout) == (1, "")
    assert "Netlify rejected this token" in result.stderr


def test_without_a_token_or_a_terminal_it_says_how_to_give_one(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    result = run(netlify, ca_file, token=None)
    assert result.returncode == 2
    assert "NETLIFY_AUTH_TOKEN" in result.stderr
    assert netlify.requests == []


def test_usage_errors_exit_2(netlify: FakeNetlify, ca_file: Path) -> None:
    assert run(netlify, ca_file, "--units", "furlongs").returncode == 2
    assert run(netlify, ca_file, "--token", TOKEN).returncode == 2
    assert run(netlify, ca_file, "--fail-over", "-5").returncode == 2


@pytest.mark.parametrize(
    "url", ["http://proxy.example/api/v1", "http://127.attacker.example/api/v1"]
)
def test_a_plain_http_api_url_elsewhere_is_refused(
    netlify: FakeNetlify, ca_file: Path, url: str
) -> None:
    result = run(netlify, ca_file, NETLIFY_API_URL=url)
    assert result.returncode == 2
    assert "https://" in result.stderr
    assert TOKEN not in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "file://localhost/etc/netlify",
        "file:///tmp/api",
        "ftp://127.0.0.1/api/v1",
        "ws://localhost:8080/api/v1",
        "https://api.example:port/api/v1",
    ],
)
def test_an_api_url_that_is_not_https_or_local_http_is_a_usage_error(
    netlify: FakeNetlify, ca_file: Path, url: str
) -> None:
    result = run(netlify, ca_file, "--team", "acme", NETLIFY_API_URL=url)
    assert result.returncode == 2
    assert "must be an https:// address" in result.stderr
    assert "Traceback" not in result.stderr
    assert netlify.api_requests() == []


@pytest.mark.parametrize("url", ["https://", "https:///api/v1", "http://"])
def test_an_api_url_without_a_host_is_a_usage_error(
    netlify: FakeNetlify, ca_file: Path, url: str
) -> None:
    result = run(netlify, ca_file, NETLIFY_API_URL=url)
    assert result.returncode == 2
    assert "with a host" in result.stderr


def test_an_unreachable_api_url_is_named_not_blamed_on_a_firewall(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    result = run(netlify, ca_file, "--team", "acme", NETLIFY_API_URL="https://127.0.0.1:9/api/v1")
    assert result.returncode == 1
    assert "Could not reach 127.0.0.1:9, the API that NETLIFY_API_URL names" in result.stderr
    assert "firewall" not in result.stderr


def test_messages_speak_the_terminals_language(netlify: FakeNetlify, ca_file: Path) -> None:
    rejected = run(netlify, ca_file, token="nfp_revoked_token_123")
    unknown = run(netlify, ca_file, "--team", "acme-typo")
    for result in (rejected, unknown):
        assert "paste it here" not in result.stderr
        assert "the field" not in result.stderr
    assert "leave the team out" in unknown.stderr


def test_fail_over_is_exit_3_and_a_bad_token_is_not(netlify: FakeNetlify, ca_file: Path) -> None:
    # The README's cron line tests for 3, which only a team over the threshold gives.
    assert run(netlify, ca_file, "--team", "acme", "--fail-over", "20").returncode == 3
    bad = run(netlify, ca_file, "--team", "acme", "--fail-over", "20", token="nfp_revoked_12345")
    assert bad.returncode == 1


def test_the_example_needs_no_token_and_sends_nothing(netlify: FakeNetlify, ca_file: Path) -> None:
    result = run(netlify, ca_file, "--example", token=None)
    assert result.returncode == 0, result.stderr
    assert "made-up teams; nothing was sent to Netlify" in result.stderr
    assert "Example Studio · Pro · example-studio" in result.stdout
    assert "Example figures for 3 made-up teams" in result.stderr
    assert json.loads(run(netlify, ca_file, "--example", "--json", token=None).stdout)["example"]
    assert netlify.requests == []


def test_a_token_given_as_the_team_is_refused_before_any_request(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    result = run(netlify, ca_file, "--team", TOKEN)
    assert result.returncode == 1
    assert "looks like a token, not a team slug" in result.stderr
    assert TOKEN not in result.stderr + result.stdout
    assert netlify.requests == []


@pytest.mark.parametrize(
    ("team", "threshold", "code", "shown"),
    [
        ("acme", "25", 3, "25.3 GiB"),
        ("acme", "25.3", 3, "25.3 GiB"),
        ("acme", "25.4", 0, "25.3 GiB"),
        ("acme", "90", 0, "25.3 GiB"),
        # On a credit plan, the share of the month's credits bandwidth has cost: 90 of 300.
        ("credits-co", "25", 3, "90 of 300 credits"),
        ("credits-co", "30", 3, "90 of 300 credits"),
        ("credits-co", "31", 0, "90 of 300 credits"),
        ("credits-co", "80", 0, "90 of 300 credits"),
    ],
)
def test_fail_over_guards_a_cron_job(
    netlify: FakeNetlify, ca_file: Path, team: str, threshold: str, code: int, shown: str
) -> None:
    result = run(netlify, ca_file, "--team", team, "--fail-over", threshold)
    assert result.returncode == code, result.stderr
    assert shown in result.stdout


@pytest.mark.parametrize("recorded_form", [False, True], ids=["unix-seconds", "netlify-date"])
def test_the_rate_limit_is_waited_out(
    netlify: FakeNetlify, ca_file: Path, recorded_form: bool
) -> None:
    limited = Reply(429, {"code": 429, "message": "API Request rate limit surpassed"})
    limited.headers = rate_limit_reset_in(1, recorded_form=recorded_form)
    netlify.override(BANDWIDTH, limited)
    result = run(netlify, ca_file, "--team", "acme")
    assert result.returncode == 0, result.stderr
    assert len([r for r in netlify.api_requests() if r.path.endswith(BANDWIDTH)]) == 2


@pytest.mark.parametrize("recorded_form", [False, True], ids=["unix-seconds", "netlify-date"])
def test_a_rate_limit_too_long_to_wait_for_is_reported(
    netlify: FakeNetlify, ca_file: Path, recorded_form: bool
) -> None:
    limited = Reply(429, {"code": 429}, rate_limit_reset_in(3600, recorded_form=recorded_form))
    netlify.override(BANDWIDTH, limited, repeat=True)
    result = run(netlify, ca_file, "--team", "acme")
    assert result.returncode == 1
    assert "Try again in 60 minutes" in result.stderr


def test_at_a_terminal_it_asks_for_the_token_and_never_shows_it(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    # A real pseudo-terminal as the process's controlling terminal, where getpass prompts.
    pid, terminal = pty.fork()
    if pid == 0:  # the child: become the command
        os.execve(
            sys.executable,
            [sys.executable, "-S", str(ROOT / "app.py"), "--team", "acme"],
            environment_for(netlify, ca_file),
        )
    screen = read_until(terminal, b"(not shown): ")
    os.write(terminal, TOKEN.encode() + b"\r")
    screen += read_until(terminal, None)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    shown = screen.decode()
    assert os.waitstatus_to_exitcode(status) == 0, shown
    assert "Netlify personal access token (not shown): " in shown
    assert TOKEN not in shown
    assert "25.3 GiB of 100 GiB used (25.3 %)" in shown
    assert {r.headers["authorization"] for r in netlify.api_requests()} == {f"Bearer {TOKEN}"}


def read_until(terminal: int, wanted: bytes | None, timeout_s: float = 30) -> bytes:
    """What the terminal shows, up to `wanted`, or until the command ends (None)."""
    seen = b""
    while wanted is None or wanted not in seen:
        readable, _, _ = select.select([terminal], [], [], timeout_s)
        if not readable:
            pytest.fail(f"the terminal went quiet; it showed {seen!r}")
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the command ended and closed its side
            chunk = b""
        if not chunk:
            if wanted is None:
                return seen
            pytest.fail(f"the command ended without showing {wanted!r}; it showed {seen!r}")
        seen += chunk
    return seen


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


# --- teams on credit-based plans ------------------------------------------------------------------


# --- history kept by the command line -------------------------------------------------------


def test_history_builds_a_record_and_says_how_usage_moved(
    netlify: FakeNetlify, ca_file: Path, tmp_path: Path
) -> None:
    kept = tmp_path / "bandwidth.jsonl"
    first = run(netlify, ca_file, "--history", str(kept))
    assert first.returncode == 0, first.stderr
    assert "Since the last reading" not in first.stdout
    figures = bandwidth_figures("acme")
    assert figures is not None
    # A day later, Netlify's figure has moved by 2 GiB.
    later = datetime.fromisoformat(figures["last_updated_at"]) + timedelta(days=1)
    grown = {**figures, "used": figures["used"] + 2 * 2**30, "last_updated_at": later.isoformat()}
    netlify.override(BANDWIDTH, Reply(200, grown))
    second = run(netlify, ca_file, "--history", str(kept))
    assert second.returncode == 0, second.stderr
    acme = second.stdout.split("\n\n")[0]
    assert re.search(r"Since the last reading +\+2 GiB since \d+ \w+ \d{4}", acme)
    lines = kept.read_text().splitlines()
    assert len(lines) == 6  # three teams, twice
    assert {json.loads(line)["slug"] for line in lines} == {"acme", "side-projects", "credits-co"}
    assert TOKEN not in kept.read_text()


def test_history_that_cannot_be_written_is_said_and_the_figures_still_shown(
    netlify: FakeNetlify, ca_file: Path, tmp_path: Path
) -> None:
    result = run(netlify, ca_file, "--team", "acme", "--history", str(tmp_path))  # a folder
    assert result.returncode == 1
    assert "25.3 GiB of 100 GiB used" in result.stdout
    assert f"could not add to {tmp_path}" in result.stderr


def test_history_keeps_no_example(netlify: FakeNetlify, ca_file: Path, tmp_path: Path) -> None:
    result = run(netlify, ca_file, "--example", "--history", str(tmp_path / "kept.jsonl"))
    assert result.returncode == 2
    assert not (tmp_path / "kept.jsonl").exists()


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
