"""The `--json` document (checker/outputs/schema.py), from reports made directly: what a script
reads."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from checker.netlify.report import utc_now
from checker.outputs.schema import JSON_SCHEMA, document
from tests.answers import CREDITS_CO_DEPLOYS, counted, fake_report
from tests.conftest import ROOT
from tests.fake_netlify import GIB, NO_ALLOWANCE


def test_a_stable_schema_with_bytes_as_integers() -> None:
    acme, side = document([fake_report("acme"), fake_report("side-projects")], utc_now())["teams"]
    assert JSON_SCHEMA == "netlify-bandwidth-checker/4"
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


def test_a_free_credit_team_spent_90_credits_on_bandwidth_and_75_on_five_deploys() -> None:
    report = fake_report("credits-co", deploys=CREDITS_CO_DEPLOYS)
    [team] = document([report], utc_now())["teams"]
    assert team["plan_kind"] == "credit"
    credits = team["credits"]
    assert credits["included"] == 300
    assert credits["bandwidth_credits"] == 90.0
    assert (credits["spent"], credits["used_percent"], credits["at_least"]) == (165.0, 55.0, True)
    assert credits["deploys"] == {
        "count": 5,
        "credits": 75,
        "complete": True,
        "sites": [{"name": "blog", "count": 3}, {"name": "docs", "count": 2}],
        "sites_failed": 0,
        "sites_left_out": 0,
        "unreadable": 0,
        "not_counted": None,
    }
    # 20 to 21 of 30 days gone (the period starts at midnight US-Pacific, and the test runs at any
    # hour): at this pace 236 to 248 credits, inside the 300.
    assert 165 * 30 / 21 <= credits["projected"] <= 165 * 30 / 20
    assert credits["on_course_to_run_out"] is False and credits["runs_out_at"] is None
    assert credits["rate"] == {
        "meters": [
            {
                "key": "bandwidth",
                "name": "Bandwidth",
                "unit": "GB",
                "credits": 20,
                "since": "2026-04-14",
                "source": "https://www.netlify.com/pricing/",
            },
            {
                "key": "deploys",
                "name": "Production deploys",
                "unit": "production deploy",
                "credits": 15,
                "since": "2025-09-04",
                "source": "https://www.netlify.com/pricing/",
            },
        ],
        "credits_per_gb": 20,
        "bytes_per_gb": 10**9,
        "credits_per_production_deploy": 15,
        "since": "2026-04-14",
        "source": "https://www.netlify.com/pricing/",
    }
    # A script can redo the sum from what the document holds.
    rate = credits["rate"]
    by_bandwidth = team["bandwidth"]["used"] / rate["bytes_per_gb"] * rate["credits_per_gb"]
    deployed = credits["deploys"]["count"] * rate["credits_per_production_deploy"]
    assert by_bandwidth + deployed == credits["spent"]
    # No allowance is claimed: not "available", not "over".
    for claim in ("available", "remaining", "over", "used_percent", "on_course_to_run_over"):
        assert team["bandwidth"][claim] is None
    assert team["bandwidth"]["included"] == 0  # as Netlify's /bandwidth gave it


def test_a_count_that_is_not_whole_is_a_lower_bound() -> None:
    failing = counted(("blog", 3), failed=1)
    [team] = document([fake_report("credits-co", deploys=failing)], utc_now())["teams"]
    credits = team["credits"]
    assert (credits["spent"], credits["at_least"]) == (135.0, True)
    assert credits["deploys"]["complete"] is False and credits["deploys"]["sites_failed"] == 1
    [uncounted] = document([fake_report("credits-co")], utc_now())["teams"]
    assert uncounted["credits"]["deploys"] is None and uncounted["credits"]["at_least"] is True


def test_a_credit_team_on_course_to_run_out_says_when() -> None:
    # 12 GB in some 20 of 30 days: 240 credits so far, about 360 by the end, so the 300 are gone
    # when 300/240 of the time gone so far has passed: around day 25.
    now = utc_now()
    [team] = document([fake_report("credits-co", used=12 * 10**9)], now)["teams"]
    credits = team["credits"]
    assert credits["on_course_to_run_out"] is True
    start = datetime.fromisoformat(team["period"]["start"])
    runs_out = datetime.fromisoformat(credits["runs_out_at"])
    assert abs((runs_out - start) - (now - start) * 300 / 240) < timedelta(seconds=1)


def _keys(value: object, path: str = "") -> set[str]:
    """Every key of a JSON value, as a path; a list's entries under `[]`."""
    if isinstance(value, dict):
        return {f"{path}.{k}" for k in value} | {
            key for k, v in value.items() for key in _keys(v, f"{path}.{k}")
        }
    if isinstance(value, list):
        return {key for entry in value for key in _keys(entry, f"{path}[]")}
    return set()


def test_the_documented_example_has_every_key_a_document_has() -> None:
    """docs/json-schema.md's example, keys and all, is what the code writes for a legacy team and
    a credit team with --fail-over."""
    text = (ROOT / "docs" / "json-schema.md").read_text()
    example = json.loads(text.split("```json\n")[1].split("```")[0].replace("…", "x"))
    made = document(
        [fake_report("acme"), fake_report("credits-co", deploys=CREDITS_CO_DEPLOYS)],
        utc_now(),
        threshold=80,
    )

    # Quotas are whatever Netlify's account object counts.
    def shown(keys: set[str]) -> set[str]:
        return {key for key in keys if ".quotas." not in key}

    assert shown(_keys(example)) == shown(_keys(made))


def test_without_a_period_whether_a_team_is_on_course_is_not_known() -> None:
    # Nothing to measure a pace against: neither "yes" nor "no" can be claimed.
    no_period = {"period_start_date": None, "period_end_date": None}
    acme, credits_co = document(
        [
            fake_report("acme", **no_period),
            fake_report("credits-co", deploys=CREDITS_CO_DEPLOYS, **no_period),
        ],
        utc_now(),
    )["teams"]
    assert acme["bandwidth"]["on_course_to_run_over"] is None
    assert credits_co["credits"]["projected"] is None
    assert credits_co["credits"]["on_course_to_run_out"] is None
    over = document([fake_report("side-projects", **no_period)], utc_now())["teams"][0]
    assert over["bandwidth"]["on_course_to_run_over"] is False  # over already, not on course
