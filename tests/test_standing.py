"""What Netlify's account object says of a team, and where the team stands against a threshold:
the fields read tolerantly, Netlify's own word and its own count first, the credit billing
cycle, and "unknown" never taken as "not reached". Reports are built directly (tests/answers.py),
and the check is driven without I/O."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from checker.figures.credits import team_credit_use, when_spent
from checker.figures.team import team_model, verdict
from checker.netlify import api, samples
from checker.netlify.check import Check
from checker.netlify.drive import InTurn, drive
from checker.netlify.report import Counted, TeamReport
from checker.outputs.schema import team_document
from checker.outputs.summary import markdown
from checker.view.card import team_view
from tests.answers import NOW, counted, fake_report
from tests.fake_netlify import TEAMS, TOKEN
from tests.fake_sites import page_of

[CREDIT_TEAM] = [team for team in TEAMS if team["slug"] == "credits-co"]


def account(**fields: Any) -> api.Account:
    entry = {"slug": "credits-co", "name": "Credits Co", "type_name": "Pro", **fields}
    return api.read_account(api.Response(200, json.dumps(entry).encode()), "credits-co", NOW)


def credit_report(
    *, deploys: Counted | None = None, used: int = 4_500_000_000, **fields: Any
) -> TeamReport:
    """Credits Co (90 credits of bandwidth, five deploys: 165 of 300) with these account fields."""
    team = {**CREDIT_TEAM, **fields}
    return fake_report(
        "credits-co", team, deploys=deploys or counted(("blog", 3), ("docs", 2)), used=used
    )


def card(report: TeamReport) -> dict[str, Any]:
    return dict(team_view(report, datetime.now(NOW.tzinfo), "binary"))


def rows(report: TeamReport) -> dict[str, str]:
    return {row["label"]: row["value"] for row in card(report)["rows"]}


# --- the account object's fields, read tolerantly -------------------------------------------------


def test_every_field_as_public_scripts_saw_it_is_read() -> None:
    billing = account(
        current_billing_period_start="2026-11-19T00:00:00Z",
        next_billing_period_start="2026-12-19T00:00:00Z",
        plan_credits=3000,
        lifecycle_state="active",
        usages_exceeded=[],
        sites_with_usage_exceeded=["shop", {"name": "blog"}, 7],
        auto_topup_enabled=True,
        plan_auto_topup_amount=500,
    ).billing
    assert billing.cycle is not None and billing.cycle[0].day == 19
    assert (billing.plan_credits, billing.lifecycle_state) == (3000, "active")
    assert (billing.usages_exceeded, billing.sites_exceeded) == ((), ("shop", "blog", ""))
    assert (billing.auto_recharge, billing.recharge_credits) == (True, 500)
    assert billing.over  # a site listed, even one without a readable name


def test_missing_fields_say_nothing() -> None:
    billing = account().billing
    assert billing == api.Billing() and not billing.over and billing.cycle is None


@pytest.mark.parametrize(
    "odd",
    [
        {"current_billing_period_start": 19, "next_billing_period_start": "soon"},
        {
            "current_billing_period_start": "2026-12-19T00:00:00Z",
            "next_billing_period_start": "2026-11-19T00:00:00Z",
        },
        {"plan_credits": "a lot"},
        {"plan_credits": True},
        {"lifecycle_state": ["active"]},
        {"lifecycle_state": "   "},
        {"usages_exceeded": "credits"},
        {"sites_with_usage_exceeded": {"shop": True}},
        {"auto_topup_enabled": "true"},
        {"plan_auto_topup_amount": -5},
        {"capabilities": {"credits": {"used": "many", "included": 300}}},
    ],
)
def test_a_field_of_the_wrong_type_is_not_said_never_a_crash_or_a_failed_team(
    odd: dict[str, Any],
) -> None:
    bare = {key: CREDIT_TEAM[key] for key in ("slug", "name", "type_name", "capabilities")}
    report = fake_report("credits-co", {**bare, **odd}, deploys=counted(("blog", 3)))
    billing = report.account.billing
    assert billing.cycle is None and not billing.over
    assert (billing.plan_credits, billing.lifecycle_state) == (None, None)
    assert (billing.auto_recharge, billing.recharge_credits) == (None, None)
    assert (billing.usages_exceeded, billing.sites_exceeded) == (None, None)
    assert report.account.netlify_credits is None
    assert report.plan == "credit" and card(report)["error"] is None


def test_plan_credits_make_a_credit_team_when_the_capabilities_do_not() -> None:
    assert account(plan_credits=1000).monthly_credits == 1000
    assert (
        account(capabilities={"credits": {"included": 3000}}, plan_credits=1000).monthly_credits
        == 3000
    )
    assert account().monthly_credits is None


# --- Netlify's own word comes first ---------------------------------------------------------------


@pytest.mark.parametrize(
    "over",
    [
        {"lifecycle_state": "suspended", "usages_exceeded": ["credits"]},
        {"usages_exceeded": ["bandwidth"]},
        {"sites_with_usage_exceeded": ["shop"]},
    ],
)
def test_a_team_netlify_reports_over_is_never_on_track_and_reaches_any_threshold(
    over: dict[str, Any],
) -> None:
    # Only 20 of 300 credits seen: the checker's own figures would say all is well.
    report = credit_report(used=1_000_000_000, deploys=counted(), **over)
    shown = card(report)
    assert shown["headline"]["strong"] == "Netlify reports this team over its credits"
    assert shown["headline"]["rest"] == ": its sites may be paused"
    assert "On track" not in shown["pace"]["text"] and shown["pace"]["tone"] == "warning"
    assert shown["over"] and shown["link"]["href"].endswith("/teams/credits-co/billing/general")
    assert verdict(team_model(report, NOW), 1000) == "reached"
    assert team_document(report, NOW, 80)["standing"]["verdict"] == "reached"


def test_the_sites_netlify_lists_over_are_named() -> None:
    names = [f"site-{n}" for n in range(8)]
    report = credit_report(lifecycle_state="paused", sites_with_usage_exceeded=names)
    assert rows(report)["Sites over"] == "site-0, site-1, site-2, site-3, site-4, 3 more sites"
    assert "its state is “paused”, not active" in card(report)["pace"]["text"]


# --- Netlify's own count --------------------------------------------------------------------------


def test_netlifys_own_count_above_the_estimate_drives_the_share_and_says_so() -> None:
    report = credit_report(capabilities={"credits": {"included": 3000, "used": 1850}})
    use = team_credit_use(report, NOW)
    assert use is not None and (use.counted_by, use.spent, use.estimate) == ("netlify", 1850, 165)
    shown = card(report)
    assert shown["headline"] == {
        "strong": "1,850 of 3,000 credits",
        "rest": " spent (61.7 %, Netlify's own count)",
    }
    assert rows(report)["Netlify's own count"] == "Netlify counts 1,850 of 3,000 credits, 61.7 %"
    assert rows(report)["Share worked from"].startswith(
        "Netlify's own count, higher than the estimate"
    )
    assert verdict(team_model(report, NOW), 60) == "reached"
    assert verdict(team_model(report, NOW), 62) == "not reached"


def test_an_estimate_above_netlifys_lagging_count_drives_and_netlifys_is_still_shown() -> None:
    report = credit_report(capabilities={"credits": {"included": 300, "used": 40}})
    use = team_credit_use(report, NOW)
    assert use is not None and (use.counted_by, use.spent) == ("estimate", 165)
    assert rows(report)["Share worked from"].startswith("the estimate (at least 165 credits)")


def test_a_count_of_zero_says_nothing_new() -> None:
    report = credit_report()
    assert "Netlify's own count" not in rows(report)
    assert card(report)["headline"]["rest"] == " spent (55 %)"


# --- recharge -------------------------------------------------------------------------------------


def test_what_happens_at_zero_follows_the_plan_and_its_recharge() -> None:
    assert "Free cannot recharge" in when_spent("Free", api.Billing(auto_recharge=True))
    on = when_spent("Pro", api.Billing(auto_recharge=True, recharge_credits=500))
    assert on.startswith("Auto recharge is on: when they are spent, Netlify buys 500 more credits")
    assert "the sites stay up" in on
    assert "pauses every site" in when_spent("Pro", api.Billing(auto_recharge=False))
    assert "unless more credits are bought or auto recharge is on" in when_spent(
        "Pro", api.Billing()
    )


# --- deploys as a lower bound, and what is left in deploys ----------------------------------------


def test_deploys_are_at_least_and_the_deploys_left_are_worked_from_the_credits_left() -> None:
    report = credit_report()
    assert card(report)["headline"]["strong"] == "at least 165 of 300 credits"
    assert rows(report)["Production deploys"] == "at least 5: 75 credits"
    # 135 credits left, 15 a deploy.
    assert rows(report)["Deploys left"].startswith(
        "about 9 more production deploys (15 credits each)"
    )
    assert team_document(report, NOW)["credits"]["deploys_left"] == 9


# --- unknown is never fine ------------------------------------------------------------------------


def test_a_team_that_could_not_be_checked_is_unknown_never_under() -> None:
    report = TeamReport(account(), None, api.ServerError("Netlify's API is having trouble"))
    where = team_model(report, NOW)
    assert verdict(where, 80) == "unknown" and where.unknown is not None
    assert "could not be checked" in where.unknown


def test_an_incomplete_count_under_the_threshold_is_unknown_and_over_it_is_reached() -> None:
    cut_short = counted(("blog", 3), failed=1)
    report = credit_report(deploys=cut_short)
    assert verdict(team_model(report, NOW), 80) == "unknown"
    # 90 credits of bandwidth and three deploys: 135 of 300, 45 %.
    assert verdict(team_model(report, NOW), 45) == "reached"
    assert "On track" not in card(report)["pace"]["text"]
    complete = credit_report()
    assert verdict(team_model(complete, NOW), 80) == "not reached"


def test_a_short_count_stays_unknown_behind_netlifys_higher_count() -> None:
    # Netlify's own count lags (and has read 0 when it was wrong): it is a lower bound too, so a
    # count cut short under it still leaves the truth unseen. 200 of 300 is 66.7 %.
    capabilities = {"credits": {"included": 300, "used": 200}}
    report = credit_report(deploys=counted(("blog", 3), failed=1), capabilities=capabilities)
    model = team_model(report, NOW)
    assert model.counted_by == "netlify"
    assert verdict(model, 80) == "unknown"
    assert model.unknown == "the production deploys of 1 of its sites could not be read"
    assert verdict(model, 60) == "reached"
    assert team_document(report, NOW, 80)["standing"]["verdict"] == "unknown"
    assert card(report)["pace"]["text"].startswith("Not known to be on track: the production")
    complete = credit_report(capabilities=capabilities)
    assert verdict(team_model(complete, NOW), 80) == "not reached"


def test_deploys_left_on_a_short_count_are_at_most_what_it_leaves() -> None:
    report = credit_report(deploys=counted(("blog", 3), failed=1))  # 135 of 300 seen
    assert rows(report)["Deploys left"].startswith("at most 11 more production deploys (15")


def test_an_unknown_plan_is_judged_by_the_allowance_its_answer_gives_else_unknown() -> None:
    side = fake_report("side-projects", used=97 * 2**30)
    unknown_plan = replace(side, account_known=False)
    assert verdict(team_model(unknown_plan, NOW), 80) == "reached"
    no_allowance = replace(fake_report("side-projects", included=0), account_known=False)
    assert verdict(team_model(no_allowance, NOW), 80) == "unknown"


def test_the_markdown_lists_the_teams_that_could_not_be_judged() -> None:
    failed = TeamReport(account(name="Broken Team"), None, api.ServerError("Netlify is down"))
    table = markdown([fake_report("acme"), failed], NOW, "binary", 80)
    assert "**No team known to be at or over 80 %.**" in table
    assert "- Broken Team: it could not be checked: Netlify is down" in table


# --- the credit cycle -----------------------------------------------------------------------------

CYCLE_START = NOW - timedelta(days=12)
PERIOD_START = NOW - timedelta(days=3)


def cycle_netlify(cycle: bool) -> api.Send:
    """A credit team whose cycle began 12 days ago and whose /bandwidth period 3 days ago, with
    one production deploy in the bandwidth's period and three between the two starts."""
    team = samples.account("credits-co", "Credits Co", "Pro", credits=(0, 300))
    if cycle:
        team |= {
            "current_billing_period_start": CYCLE_START.isoformat(),
            "next_billing_period_start": (CYCLE_START + timedelta(days=30)).isoformat(),
        }
    figures = {
        "used": 1_000_000_000,
        "included": 0,
        "period_start_date": PERIOD_START.isoformat(),
        "period_end_date": (PERIOD_START + timedelta(days=30)).isoformat(),
    }
    made = [NOW - timedelta(days=days) for days in (1, 5, 7, 10, 20)]

    def send(request: api.Request) -> api.Response:
        address = urlsplit(request.url)
        path = address.path.removeprefix("/api/v1")
        if path == "/accounts":
            body: object = [team]
        elif path.endswith("/bandwidth"):
            body = figures
        elif path.endswith("/sites"):
            body = page_of([samples.site("blog", "blog")], address.query)
        else:
            body = page_of([samples.deploy(when) for when in made], address.query)
        return api.Response(200, json.dumps(body).encode())

    return send


def test_deploys_and_the_pace_follow_the_credit_cycle_when_netlify_gives_one() -> None:
    [report] = drive(Check(TOKEN, [""], now=lambda: NOW), InTurn(cycle_netlify(cycle=True)))
    assert "deploys" in report.counts and report.counts["deploys"].count == 4
    use = team_credit_use(report, NOW)
    # 20 credits of bandwidth and four deploys.
    assert use is not None and use.spent == 80 and use.period.source == "cycle"
    assert use.period.start == CYCLE_START
    said = {row["label"]: row for row in team_view(report, NOW, "binary")["rows"]}
    assert said["Bandwidth's own period"]["value"].startswith(f"{PERIOD_START.day} ")
    assert "follow the credit billing cycle" in said["Bandwidth's own period"]["value"]
    assert team_document(report, NOW)["credits"]["period"]["source"] == "cycle"


def test_without_a_cycle_the_bandwidths_period_is_used_and_no_row_says_otherwise() -> None:
    [report] = drive(Check(TOKEN, [""], now=lambda: NOW), InTurn(cycle_netlify(cycle=False)))
    assert "deploys" in report.counts and report.counts["deploys"].count == 1
    use = team_credit_use(report, NOW)
    assert use is not None and use.spent == 35 and use.period.source == "bandwidth"
    labels = [row["label"] for row in team_view(report, NOW, "binary")["rows"]]
    assert "Bandwidth's own period" not in labels


# --- every output reads the one model ------------------------------------------------------------


def every_kind() -> list[TeamReport]:
    """A team of each kind the model knows, and of each failure."""
    side = fake_report("side-projects")
    return [
        fake_report("acme"),
        side,
        credit_report(),
        credit_report(usages_exceeded=["bandwidth"]),
        credit_report(capabilities={"credits": {"included": 3000, "used": 1850}}),
        credit_report(deploys=counted(("blog", 3), failed=1)),
        replace(side, account_known=False),
        replace(fake_report("side-projects", included=0), account_known=False),
        TeamReport(account(), None, api.ServerError("Netlify's API is having trouble")),
    ]


def test_the_card_json_markdown_text_and_exit_code_agree_with_the_model() -> None:
    from checker.cli import printed
    from checker.figures.amounts import format_percent

    reports = every_kind()
    lines = markdown(reports, NOW, "binary", 80).splitlines()
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    for report, row in zip(reports, rows, strict=True):
        model = team_model(report, NOW)
        document = team_document(report, NOW, 80)
        share = model.share
        shown = None if share is None or share == float("inf") else round(share * 100, 2)
        assert document["standing"]["share_percent"] == shown
        assert document["standing"]["verdict"] == verdict(model, 80)
        assert document["plan_kind"] == report.plan
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        assert cells[3] == (
            "unknown" if share is None else format_percent(share) if shown is not None else ""
        )
        view = team_view(report, NOW, "binary")
        text = printed(view)
        if model.usage is None:
            assert view["error"] is not None and view["error"]["message"] in text
        else:
            headline = view["headline"]
            assert headline is not None
            assert f"{headline['strong']}{headline['rest']}" in text
            if not model.netlify_over and shown is not None:
                assert format_percent(share) in headline["rest"]  # type: ignore[arg-type]
            assert view["over"] == (model.over or model.netlify_over)
