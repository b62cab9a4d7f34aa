"""What a check shows, decided once: the page draws this view and the terminal prints it.

The view is every team's card (checker/view/card.py) in both unit systems, so that the page switches
units without asking again, with the one sentence the status line announces; or the sentence
that says why the check failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, TypedDict

from checker.figures import credits, history
from checker.figures.amounts import UNIT_SYSTEMS
from checker.figures.history import Reading
from checker.figures.team import team_model
from checker.netlify import api
from checker.netlify.report import TeamReport
from checker.view.card import pending_view, team_view
from checker.view.shape import Failure, TeamView

__all__ = ["View", "error_view", "page_view"]


class UnitsView(TypedDict):
    status: str  # the one sentence the status line announces
    teams: list[TeamView]


class PageView(TypedDict):
    ok: Literal[True]
    example: bool
    units: dict[str, UnitsView]  # by unit system: "binary", "decimal"
    history: list[
        str
    ]  # the readings to keep on this device, as checker/figures/history.py writes them


class ErrorView(TypedDict):
    ok: Literal[False]
    error: Failure


View = PageView | ErrorView


def page_view(
    reports: Sequence[TeamReport | api.Account],
    now: datetime,
    *,
    example: bool = False,
    kept: Sequence[Reading] = (),
) -> PageView:
    """Every team's view; a team given by its account alone is still waiting for its answer.
    `kept` are the readings this device keeps: drawn on each team's chart, and returned in
    `history` with this check's, for the page to keep if the reader asked it to."""
    answered = [report for report in reports if isinstance(report, TeamReport)]
    # What to keep is settled once every team has answered: a partial view is only drawn.
    done = len(answered) == len(reports)
    keep = history.kept_with(kept, answered, now) if done and not example else []
    return {
        "ok": True,
        "example": example,
        "units": {units: units_view(reports, now, units, example, kept) for units in UNIT_SYSTEMS},
        "history": [reading.line() for reading in keep],
    }


def units_view(
    reports: Sequence[TeamReport | api.Account],
    now: datetime,
    units: str,
    example: bool,
    kept: Sequence[Reading] = (),
) -> UnitsView:
    answered = [report for report in reports if isinstance(report, TeamReport)]
    teams = [
        team_view(report, now, units, kept)
        if isinstance(report, TeamReport)
        else pending_view(report)
        for report in reports
    ]
    counting = next(
        (
            meter.units
            for meter in credits.COUNTED
            for report in answered
            if (counted := report.counts.get(meter.key)) is not None and not counted.done
        ),
        None,
    )
    if len(answered) < len(reports):
        status = f"{len(answered)} of {len(reports)} teams have answered…"
    elif counting:
        status = f"Counting {counting}…"
    else:
        status = ("Example: " if example else "") + _status(answered, teams, now)
    return {"status": status, "teams": teams}


def error_view(error: api.CheckError) -> ErrorView:
    return {"ok": False, "error": {"message": error.message, "field": error.field}}


def _status(reports: list[TeamReport], teams: list[TeamView], now: datetime) -> str:
    if len(teams) == 1:
        [team] = teams
        if team["error"]:
            return f"{team['heading']}: {team['error']['message']}"
        headline = team["headline"]
        assert headline is not None
        return f"{team['heading']}: {headline['strong']}{headline['rest']}."
    reported = sum(team_model(report, now).netlify_over for report in reports)
    over = sum(team["over"] for team in teams) - reported
    running_out = sum(team["runs_out"] and not team["over"] for team in teams)
    failed = sum(report.error is not None for report in reports)
    notes = [
        f"{reported} reported over by Netlify" if reported else None,
        f"{over} over the allowance" if over else None,
        f"{running_out} on course to run out of credits" if running_out else None,
        f"{failed} could not be checked" if failed else None,
    ]
    said = ", ".join(filter(None, notes))
    return f"Checked {len(teams)} teams{': ' + said if said else ''}."
