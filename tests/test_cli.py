"""`python3 app.py` as a person or a cron job runs it: a real process, the fake API over HTTPS."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from checker.netlify import samples
from tests import fake_netlify, fake_sites
from tests.command_line import environment_for, run
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
    # Its bandwidth (90 credits) and its five production deploys (75) together.
    assert "165 of 300 credits spent (55 %)" in out
    assert re.search(r"Production deploys +at least 5: 75 credits", out)
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


def test_a_team_whose_plan_cannot_be_had_is_judged_on_the_allowance_its_answer_gives(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    """Without Netlify's account object there is no telling an allowance from credits, but the
    allowance /bandwidth gives is still measured against: 130 GiB of 100 GiB is over 50 %."""
    netlify.override("/accounts/side-projects", error(500, "Internal Server Error"), repeat=True)
    result = run(netlify, ca_file, "--team", "side-projects", "--fail-over", "50")
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith("side-projects\n  130 GiB of 100 GiB used (130 %)\n")


def test_a_team_whose_plan_and_allowance_cannot_be_had_is_never_taken_as_under(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    netlify.override("/accounts/side-projects", error(500, "Internal Server Error"), repeat=True)
    figures = bandwidth_figures("side-projects")
    assert figures is not None
    netlify.override("/accounts/side-projects/bandwidth", Reply(200, {**figures, "included": 0}))
    result = run(netlify, ca_file, "--team", "side-projects", "--fail-over", "80")
    assert result.returncode == 1
    assert result.stderr == (
        "app.py: side-projects: not known whether it reached 80 %: Netlify did not say which "
        "plan it is on, and its answer gives no allowance\n"
    )


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
    # The alert issue is about a threshold, and about real teams.
    assert run(netlify, ca_file, "--github-issue").returncode == 2
    assert run(netlify, ca_file, "--example", "--fail-over", "5", "--github-issue").returncode == 2
    assert not netlify.api_requests()


def test_the_markdown_table_is_printed_or_appended_to_a_file(
    netlify: FakeNetlify, ca_file: Path, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    shown = run(netlify, ca_file, "--format", "markdown", "--summary", str(summary))
    assert shown.returncode == 0, shown.stderr
    assert "| Acme Web | Pro (legacy) | 25.3 GiB of 100 GiB used | 25.3 % |" in shown.stdout
    assert summary.read_text().strip() == shown.stdout.strip()
    quiet = run(netlify, ca_file, "--quiet", "--summary", str(summary))
    assert quiet.stdout == "" and summary.read_text().count("| Team |") == 2


@pytest.mark.parametrize(
    "url",
    [
        "http://proxy.example/api/v1",
        "http://127.attacker.example/api/v1",
        # User information hides the real host; a fragment has no place in an API's address.
        "https://api.netlify.com@evil.example/api/v1",
        "https://user:pass@api.netlify.com/api/v1",
        "https://api.netlify.com/api/v1#x",
    ],
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
    assert "Example figures for 5 made-up teams" in result.stderr
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
        # On a credit plan, the share of the month's credits that bandwidth and production
        # deploys have cost: 165 of 300, where bandwidth alone is 30 %.
        ("credits-co", "31", 3, "165 of 300 credits"),
        ("credits-co", "55", 3, "165 of 300 credits"),
        ("credits-co", "56", 0, "165 of 300 credits"),
        ("credits-co", "80", 0, "165 of 300 credits"),
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


# --- a credit team's production deploys -----------------------------------------------------------


def test_a_credit_teams_deploys_in_json_and_in_its_history(
    netlify: FakeNetlify, ca_file: Path, tmp_path: Path
) -> None:
    history = tmp_path / "readings.jsonl"
    result = run(netlify, ca_file, "--json", "--team", "credits-co", "--history", str(history))
    assert result.returncode == 0, result.stderr
    [team] = json.loads(result.stdout)["teams"]
    credits = team["credits"]
    assert (credits["spent"], credits["used_percent"], credits["at_least"]) == (165.0, 55.0, True)
    assert credits["deploys"]["count"] == 5
    assert credits["deploys"]["sites"] == [
        {"name": "blog", "count": 3},
        {"name": "docs", "count": 2},
    ]
    assert json.loads(history.read_text())["deploys"] == 5


def test_a_busy_site_and_a_broken_one_make_the_count_a_lower_bound(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    """A Pro credit team: 150 production deploys on one site (two pages), and a site whose
    deploy list fails. The figures stand, and say they are a lower bound."""
    netlify.sites["credits-co"] = [samples.site("busy", "shop"), samples.site("broken", "old")]
    netlify.deploys = {"busy": fake_sites.production_deploys(150)}
    netlify.override("/sites/broken/deploys", error(500, "Internal Server Error"), repeat=True)
    result = run(netlify, ca_file, "--team", "credits-co")
    assert result.returncode == 0, result.stderr
    # 90 credits of bandwidth and 150 production deploys (2,250), at least.
    assert "at least 2,340 of 300 credits spent" in result.stdout
    assert re.search(
        r"Production deploys +at least 150: 2,250 credits \(1 site could", result.stdout
    )
    pages = [r.path for r in netlify.api_requests() if r.path.startswith("/api/v1/sites/busy")]
    assert len(pages) == 2


# --- what Netlify says of a credit team, and unknown never taken as under -------------------------

[CREDITS_CO] = [team for team in fake_netlify.TEAMS if team["slug"] == "credits-co"]


def test_a_team_netlify_reports_over_fails_any_threshold(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    over = {**CREDITS_CO, "lifecycle_state": "suspended", "usages_exceeded": ["credits"]}
    netlify.override("/accounts/credits-co", Reply(200, over), repeat=True)
    result = run(netlify, ca_file, "--team", "credits-co", "--fail-over", "80")
    assert result.returncode == 3, result.stderr
    assert "Netlify reports this team over its credits: its sites may be paused" in result.stdout
    assert "On track" not in result.stdout
    document = json.loads(run(netlify, ca_file, "--team", "credits-co", "--json").stdout)
    assert document["teams"][0]["account"]["lifecycle_state"] == "suspended"
    assert document["teams"][0]["standing"]["netlify_reports_over"] is True


def test_netlifys_own_count_drives_the_share_and_the_exit_code(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    counting = {**CREDITS_CO, "capabilities": {"credits": {"included": 3000, "used": 1850}}}
    netlify.override("/accounts/credits-co", Reply(200, counting), repeat=True)
    result = run(netlify, ca_file, "--team", "credits-co", "--fail-over", "60")
    assert result.returncode == 3, result.stderr
    assert "1,850 of 3,000 credits spent (61.7 %, Netlify's own count)" in result.stdout
    assert run(netlify, ca_file, "--team", "credits-co", "--fail-over", "62").returncode == 0


def test_a_team_over_beside_a_team_that_failed_exits_3(netlify: FakeNetlify, ca_file: Path) -> None:
    netlify.override("/accounts/acme/bandwidth", error(500, "Internal Server Error"), repeat=True)
    result = run(netlify, ca_file, "--fail-over", "80")
    assert result.returncode == 3, result.stderr
    assert "app.py: acme: Netlify's API is having trouble" in result.stderr
    # Without a team over the threshold, the failed team is what the exit code says.
    assert run(netlify, ca_file, "--fail-over", "200").returncode == 1


def test_a_count_cut_short_under_the_threshold_is_not_known_to_be_under(
    netlify: FakeNetlify, ca_file: Path
) -> None:
    netlify.override("/sites/site-docs/deploys", error(500, "Internal Server Error"), repeat=True)
    result = run(netlify, ca_file, "--team", "credits-co", "--fail-over", "80")
    assert result.returncode == 1
    assert result.stderr == (
        "app.py: credits-co: not known whether it reached 80 %: the production deploys of 1 of its "
        "sites could not be read\n"
    )
    assert "On track" not in result.stdout
    # Over the threshold even as a lower bound: reached.
    assert run(netlify, ca_file, "--team", "credits-co", "--fail-over", "40").returncode == 3
    quiet = run(netlify, ca_file, "--team", "credits-co", "--fail-over", "80", "--quiet")
    assert quiet.returncode == 1 and "credits-co" not in quiet.stderr


@pytest.mark.parametrize(
    "url",
    ["https://api.github.com@evil.example", "https://api.github.com#x", "http://example.com"],
)
def test_an_unusable_github_api_url_is_a_usage_error_before_any_request(
    netlify: FakeNetlify, ca_file: Path, url: str
) -> None:
    result = run(
        netlify,
        ca_file,
        "--fail-over",
        "80",
        "--github-issue",
        GITHUB_API_URL=url,
        GITHUB_REPOSITORY="owner/sites",
        GITHUB_TOKEN="ghs_x",
    )
    assert result.returncode == 2
    assert "GITHUB_API_URL must be an https:// address" in result.stderr
    assert netlify.requests == []
