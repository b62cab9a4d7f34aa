"""The deploy guard's decision (`--deploy-gate`), which the build plugin acts on: from the one
team model, decided without I/O, and as the command line prints it against the fake API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from checker.figures.team import team_model
from checker.netlify.report import TeamReport
from checker.outputs import deploy_gate
from tests.answers import NOW, counted, fake_report
from tests.command_line import CREDITS, run
from tests.fake_netlify import TEAMS, FakeNetlify, Reply, error
from tests.test_standing import credit_report

[LEGACY] = [team for team in TEAMS if team["slug"] == "acme"]


def decide(report: TeamReport, threshold: float | None = None, **options: Any) -> Any:
    model = team_model(report, NOW)
    cautious = options.get("stop_on_unknown", False)
    return deploy_gate.decide(
        model, NOW, "binary", threshold=threshold, stop_on_unknown=cautious
    ).document()


def test_a_credit_team_with_room_goes_and_says_what_is_left() -> None:
    gate = decide(credit_report())
    assert gate == {
        "action": "go",
        "standing": "not reached",
        "summary": "at least 165 of 300 credits spent (55 %), about 9 more production deploys "
        "before the credits run out",
        "reason": None,
        "advice": None,
    }


def test_the_default_threshold_and_the_one_given() -> None:
    at_90 = decide(credit_report(used=9_750_000_000))  # 195 + 75 = 270 of 300: 90 %
    assert (at_90["action"], at_90["standing"]) == ("stop", "reached")
    assert "at or above this guard's threshold of 90 %" in at_90["reason"]
    under = decide(credit_report(used=9_700_000_000))  # 269: 89.7 %
    assert under["action"] == "go"
    assert decide(credit_report(), threshold=55)["action"] == "stop"
    assert decide(credit_report(), threshold=56)["action"] == "go"


def test_fewer_credits_left_than_a_deploy_costs_stops_whatever_the_threshold() -> None:
    gate = decide(credit_report(used=10_750_000_000), threshold=1000)  # 290: 10 left
    assert gate["action"] == "stop"
    assert gate["reason"].startswith("only 10 of the team's 300 credits are left, fewer than")
    assert gate["summary"].endswith("about 0 more production deploys before the credits run out")
    spent = decide(credit_report(used=20_000_000_000), threshold=1000)
    assert spent["reason"].startswith("only 0 of the team's 300 credits are left")


def test_a_short_count_that_already_leaves_too_little_stops_and_else_is_unknown() -> None:
    short = counted(("blog", 3), failed=1)  # 90 + 45 = 135 of 300 counted, the rest unseen
    gate = decide(credit_report(deploys=short))
    assert (gate["action"], gate["standing"]) == ("go", "unknown")
    assert gate["reason"] == (
        "whether this deploy is safe could not be told: the production deploys of 1 of its "
        "sites could not be read. It goes ahead unguarded"
    )
    # What was counted is a lower bound, so the deploys left are at most that.
    assert "at most 11 more production deploys" in gate["summary"]
    cautious = decide(credit_report(deploys=short), stop_on_unknown=True)
    assert (cautious["action"], cautious["standing"]) == ("stop", "unknown")
    # Already too little left on what could be counted: the truth is no better.
    too_little = decide(credit_report(deploys=short, used=13_000_000_000))
    assert too_little["action"] == "stop"


def test_netlifys_word_that_the_team_is_over_stops_it() -> None:
    gate = decide(credit_report(lifecycle_state="paused"), threshold=1000)
    assert gate["action"] == "stop"
    assert gate["reason"] == (
        "Netlify reports the team “credits-co” over. Netlify's account for this team says its "
        "state is “paused”, not active."
    )


def test_advice_names_the_billing_page_and_when_the_credits_renew() -> None:
    free = decide(credit_report(), threshold=10)["advice"]
    assert free.startswith("The Free plan cannot buy credits: upgrade on https://app.netlify.com")
    assert re.search(r", or wait for the credits to renew on \d+ \w{3} \d{4}\.$", free)
    pro = decide(credit_report(type_name="Pro"), threshold=10)["advice"]
    assert pro.startswith("Buy credits or turn on auto recharge on https://app.netlify.com/teams/")
    assert "raise this guard's threshold, or wait for the credits to renew on" in pro


def test_a_legacy_team_is_judged_only_against_a_threshold_that_was_set() -> None:
    over = fake_report("side-projects")  # 130 of 100 GiB
    assert decide(over)["action"] == "go"
    assert decide(over)["summary"] == "130 GiB of 100 GiB used (130 %)"
    stopped = decide(over, threshold=80)
    assert stopped["reason"] == (
        "the team “side-projects” has used 130 % of its bandwidth allowance, at or above this "
        "guard's threshold of 80 %"
    )
    assert decide(fake_report("acme"), threshold=80)["action"] == "go"


def test_what_netlify_writes_cannot_write_the_log() -> None:
    report = credit_report(lifecycle_state="paused\n::error::pwned")
    text = json.dumps(decide(report))
    assert "\\n" not in text and "::error::" not in text


# --- as the command line prints it ----------------------------------------------------------------


def gate(netlify: FakeNetlify, ca_file: Path, *args: str) -> dict[str, Any]:
    result = run(netlify, ca_file, "--deploy-gate", *args)
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    return json.loads(line)


def test_the_site_being_built_names_its_team(netlify: FakeNetlify, ca_file: Path) -> None:
    said = gate(netlify, ca_file, "--site", "site-docs")
    assert said["action"] == "go" and said["summary"].startswith("at least 165 of 300 credits")
    assert netlify.api_requests()[0].path == "/api/v1/sites/site-docs"


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (error(404, "Not Found"), "cannot see the site being built"),
        (Reply(200, {"id": "site-docs"}), "site answer was not a site with its team's slug"),
        (Reply(200, {"account_slug": "../x"}), "site answer was not a site with its team's slug"),
        (error(401, "Access Denied"), "Netlify rejected this token"),
        (Reply(200, "<html>oops</html>"), "web page instead of figures"),
    ],
)
def test_a_site_that_cannot_be_looked_up_is_unknown(
    netlify: FakeNetlify, ca_file: Path, reply: Reply, said: str
) -> None:
    netlify.override("/sites/site-docs", reply)
    answer = gate(netlify, ca_file, "--site", "site-docs")
    assert (answer["action"], answer["standing"]) == ("go", "unknown")
    assert said in answer["reason"]


def test_a_failed_check_is_a_decision_not_an_exit(netlify: FakeNetlify, ca_file: Path) -> None:
    netlify.override(CREDITS, error(503, "down"), repeat=True)
    answer = gate(netlify, ca_file, "--team", "credits-co", "--stop-on-unknown")
    assert (answer["action"], answer["standing"]) == ("stop", "unknown")
    assert "HTTP 503" in answer["reason"]


@pytest.mark.parametrize(
    "args",
    [
        ["--deploy-gate"],
        ["--deploy-gate", "--team", "a", "--team", "b"],
        ["--deploy-gate", "--team", "a", "--site", "s"],
        ["--deploy-gate", "--site", "../etc"],
        ["--deploy-gate", "--team", "a", "--json"],
        ["--deploy-gate", "--team", "a", "--history", "h.jsonl"],
        ["--site", "abc"],
        ["--stop-on-unknown"],
    ],
)
def test_the_gate_decides_for_one_team_and_prints_nothing_else(
    netlify: FakeNetlify, ca_file: Path, args: list[str]
) -> None:
    result = run(netlify, ca_file, *args)
    assert result.returncode == 2 and result.stdout == ""
    assert netlify.api_requests() == []
