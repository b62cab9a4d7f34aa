"""The `--json` document (checker/schema.py), from reports made directly: what a script reads."""

from __future__ import annotations

from datetime import datetime, timedelta

from checker.report import utc_now
from checker.schema import JSON_SCHEMA, document
from tests.answers import fake_report
from tests.fake_netlify import GIB, NO_ALLOWANCE


def test_a_stable_schema_with_bytes_as_integers() -> None:
    acme, side = document([fake_report("acme"), fake_report("side-projects")], utc_now())["teams"]
    assert JSON_SCHEMA == "netlify-bandwidth-checker/2"
    # As the schema's example: the name, plan and quotas come with the figures.
    assert (acme["slug"], acme["name"], acme["plan"]) == ("acme", "Acme Web", "Pro")
    assert acme["quotas"]["sites"] == {"used": 12, "included": 500}
    assert acme["error"] is None
    assert (acme["plan_kind"], acme["credits"]) == ("legacy", None)
    assert acme["bandwidth"] == {
        "used": 27167800363,
        "included": 107374182400,
        "additional": 0,
        "available": 107374182400,
        "remaining": 107374182400 - 27167800363,
        "over": 0,
        "used_percent": 25.3,
        "projected": acme["bandwidth"]["projected"],
        "on_course_to_run_over": False,
    }
    assert acme["period"]["days_left"] == 10
    assert acme["period"]["start"].endswith("-08:00")
    assert side["bandwidth"]["over"] == 30 * GIB


def test_a_document_says_what_it_is() -> None:
    now = utc_now()
    whole = document([fake_report("acme")], now, example=True)
    assert (whole["schema"], whole["units"], whole["example"]) == (JSON_SCHEMA, "bytes", True)
    assert whole["checked_at"] == now.isoformat()
    assert "example" not in document([fake_report("acme")], now)


def test_a_team_whose_plan_is_unknown_claims_no_allowance_and_no_credits() -> None:
    report = fake_report("side-projects")
    unknown = type(report)(report.account, report.bandwidth, account_known=False)
    [team] = document([unknown], utc_now())["teams"]
    assert team["plan_kind"] == "unknown" and team["credits"] is None
    assert team["bandwidth"]["over"] is None and team["bandwidth"]["included"] == 100 * GIB


def test_a_plan_without_an_allowance_has_all_its_use_over() -> None:
    [team] = document([fake_report("credits-co", NO_ALLOWANCE)], utc_now())["teams"]
    figures = team["bandwidth"]
    assert figures["available"] == 0 and figures["used_percent"] is None
    assert figures["remaining"] == 0 and figures["over"] == figures["used"]
    assert team["period"]["days_left"] == 10
    assert (team["name"], team["plan"], team["plan_kind"]) == ("Credits Co", "Custom", "legacy")


def test_a_free_credit_team_that_served_4_5_gb_spent_90_of_300_credits() -> None:
    [team] = document([fake_report("credits-co")], utc_now())["teams"]
    assert team["plan_kind"] == "credit"
    credits = team["credits"]
    assert credits["included"] == 300
    assert credits["bandwidth_credits"] == 90.0 and credits["used_percent"] == 30.0
    # 20 of 30 days gone: at this pace 135 credits, inside the 300.
    assert 120 < credits["projected"] < 140
    assert credits["on_course_to_run_out"] is False and credits["runs_out_at"] is None
    assert credits["rate"] == {
        "credits_per_gb": 20,
        "bytes_per_gb": 10**9,
        "since": "2026-04-14",
        "source": "https://www.netlify.com/pricing/",
    }
    # A script can redo the sum from what the document holds.
    rate = credits["rate"]
    assert team["bandwidth"]["used"] / rate["bytes_per_gb"] * rate["credits_per_gb"] == 90.0
    # No allowance is claimed: not "available", not "over".
    for claim in ("available", "remaining", "over", "used_percent", "on_course_to_run_over"):
        assert team["bandwidth"][claim] is None
    assert team["bandwidth"]["included"] == 0  # as Netlify's /bandwidth gave it


def test_a_credit_team_on_course_to_run_out_says_when() -> None:
    # 12 GB in 20 of 30 days: 240 credits so far, 360 by the end, the 300 gone on day 25.
    [team] = document([fake_report("credits-co", used=12 * 10**9)], utc_now())["teams"]
    credits = team["credits"]
    assert credits["on_course_to_run_out"] is True
    start = datetime.fromisoformat(team["period"]["start"])
    runs_out = datetime.fromisoformat(credits["runs_out_at"])
    assert round((runs_out - start) / timedelta(days=1)) == 25
