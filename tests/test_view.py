"""The view, as the page draws it and the terminal prints it, from reports made in-process."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from checker.netlify import api, samples
from checker.netlify.check import Check
from checker.netlify.drive import InTurn, drive
from checker.netlify.report import TeamReport, utc_now
from checker.view.card import team_view
from checker.view.page import page_view
from checker.view.shape import TeamView
from tests import answers
from tests.answers import NOW, fake_report, netlify, side_refuses
from tests.fake_netlify import NO_ALLOWANCE, TEAMS, TOKEN


def test_the_recorded_answer_as_a_reader_sees_it() -> None:
    send, _ = netlify({"/accounts/acme/bandwidth": samples.RECORDED_BANDWIDTH})
    [report] = drive(Check(TOKEN, ["acme"], now=lambda: NOW), InTurn(send))
    team = team_view(report, NOW, "binary")
    assert team["headline"] == {"strong": "25.3 GiB", "rest": " of 100 GiB used (25.3 %)"}
    assert [(row["label"], row["value"]) for row in team["rows"]] == [
        ("Used", "25.3 GiB"),
        ("Included", "100 GiB"),
        ("Remaining", "74.7 GiB"),
        ("Billing period", "17 Feb 2024 \u2013 17 Mar 2024"),
        ("Days left", "7"),
        ("Figure updated", "45 minutes ago"),
    ]
    assert team["meter"] == {
        "value": samples.RECORDED_USED,
        "max": samples.RECORDED_INCLUDED,
        "low": round(samples.RECORDED_INCLUDED * 0.75),
        "high": round(samples.RECORDED_INCLUDED * 0.9),
        "label": "Bandwidth used: 25.3 %",
    }
    assert team["pace"] is not None and team["pace"]["text"].startswith("On track: 25.3 % used")
    decimal = page_view([report], NOW)["units"]["decimal"]
    assert decimal["status"] == "Acme Web: 27.2 GB of 107 GB used (25.3 %)."


def test_over_the_allowance_warns_in_the_row_and_the_pace() -> None:
    period = '"period_start_date": "2024-03-01T00:00:00-08:00", "period_end_date": "2024-04-01"'
    over = api.Response(200, ('{"used": 120, "included": 100, ' + period + "}").encode())
    send, _ = netlify({"/accounts/acme/bandwidth": over})
    team = team_view(drive(Check(TOKEN, ["acme"], now=lambda: NOW), InTurn(send))[0], NOW, "binary")
    assert team["over"] is True
    assert {"label": "Over by", "value": "20 B", "tone": "warning"} in team["rows"]
    assert team["pace"] == {"text": "Over the allowance by 20 B.", "tone": "warning"}


def test_a_plan_without_an_allowance_has_nothing_to_use_up() -> None:
    none = api.Response(200, b'{"used": 5000, "included": 0}')
    send, _ = netlify({"/accounts/acme/bandwidth": none})
    team = team_view(drive(Check(TOKEN, ["acme"], now=lambda: NOW), InTurn(send))[0], NOW, "binary")
    assert team["meter"] is None
    assert [(row["label"], row["value"]) for row in team["rows"]] == [
        ("Used", "4.88 KiB"),
        ("Included", "none"),
        ("Over by", "4.88 KiB"),
    ]
    assert team["headline"] == {"strong": "4.88 KiB", "rest": " used"}


def test_every_team_summed_up_in_one_status_sentence() -> None:
    send, _ = side_refuses(403)
    view = page_view(drive(Check(TOKEN, [""], now=lambda: NOW), InTurn(send)), NOW)
    assert view["units"]["binary"]["status"] == "Checked 2 teams: 1 could not be checked."
    side = view["units"]["binary"]["teams"][1]
    assert side["error"] is not None and side["rows"] == [] and side["quotas"] == []


def rows_of(team: TeamView) -> dict[str, str]:
    return {row["label"]: row["value"] for row in team["rows"] + team["quotas"]}


def test_a_team_whose_plan_is_unknown_is_measured_against_the_allowance_its_answer_gives() -> None:
    """Without Netlify's account object there is no telling an allowance from credits, but an
    allowance /bandwidth gives is still what the team's share is of: 130 % is never shown as
    a bare "130 GiB used"."""
    report = fake_report("side-projects")
    unknown = TeamReport(report.account, report.bandwidth, account_known=False)
    team = team_view(unknown, utc_now(), "binary")
    assert team["headline"] == {"strong": "130 GiB", "rest": " of 100 GiB used (130 %)"}
    assert team["pace"] is not None and "did not say which plan" in team["pace"]["text"]
    assert rows_of(team)["Included, as Netlify reports it"] == "100 GiB"
    assert team["meter"] is not None and team["meter"]["label"] == "Bandwidth used: 130 %"


def test_a_team_whose_plan_and_allowance_are_unknown_shows_its_bytes_alone() -> None:
    report = fake_report("side-projects", included=0)
    unknown = TeamReport(report.account, report.bandwidth, account_known=False)
    team = team_view(unknown, utc_now(), "binary")
    assert team["headline"] == {"strong": "130 GiB", "rest": " used"}
    assert team["pace"] is not None and "is not known" in team["pace"]["text"]
    assert not team["over"] and team["meter"] is None and "Over by" not in rows_of(team)


def test_a_plan_without_an_allowance_says_so_in_words() -> None:
    team = team_view(fake_report("credits-co", NO_ALLOWANCE, used=0), utc_now(), "binary")
    assert team["headline"] == {"strong": "0 B", "rest": " used"}
    assert rows_of(team)["Included"] == "none" and "Remaining" not in rows_of(team)
    assert team["pace"] is not None and "no bandwidth allowance" in team["pace"]["text"]


@pytest.mark.parametrize(
    "included", [0, None, "missing", 107374182400], ids=["zero", "null", "missing", "a-number"]
)
def test_whatever_bandwidth_says_is_included_a_credit_team_stays_one(included: object) -> None:
    figures = {"used": 4_500_000_000, "additional": 0, "last_updated_at": "2026-01-01T00:00:00Z"}
    if included != "missing":
        figures["included"] = included
    [credit_team] = [team for team in TEAMS if team["slug"] == "credits-co"]
    report = replace(
        answers.report(credit_team, figures), counts={"deploys": answers.CREDITS_CO_DEPLOYS}
    )
    team = team_view(report, utc_now(), "binary")
    assert team["headline"] == {"strong": "at least 165 of 300 credits", "rest": " spent (55 %)"}
    assert not team["over"] and "Over by" not in rows_of(team)
    shown_as_given = rows_of(team).get("Included, as Netlify reports it") == "100 GiB"
    assert shown_as_given == (included == 107374182400)


def test_the_credit_teams_used_credits_of_0_is_never_shown_as_usage() -> None:
    team = team_view(fake_report("credits-co"), utc_now(), "binary")
    shown = " ".join(f"{label} {value}" for label, value in rows_of(team).items())
    assert not re.search(r"\b0 of 300|Credits 0\b|used\W+0\b", shown)
    assert team["caveat"] is not None and "fewer credits are left than this shows" in team["caveat"]
    assert team["link"] is not None
    assert team["link"]["href"] == "https://app.netlify.com/teams/credits-co/billing/general"


def test_no_text_of_a_card_carries_a_control_or_a_bidirectional_override() -> None:
    # Drawn as text nodes nothing runs, but "\u202e" would reorder what follows on screen.
    from tests.test_standing import credit_report

    hostile = "\u202emoc.elpmaxe\x1b[31m\u2066"
    report = credit_report(
        name=f"Credits {hostile}",
        type_name=f"Free{hostile}",
        lifecycle_state=f"paused{hostile}",
        sites_with_usage_exceeded=[f"blog{hostile}"],
        usages_exceeded=[f"credits{hostile}"],
    )
    shown = json.dumps(team_view(report, NOW, "binary"), ensure_ascii=False)
    assert "moc.elpmaxe" in shown and "its state is “paused" in shown
    assert not [char for char in "\u202e\x1b\u2066" if char in shown]
