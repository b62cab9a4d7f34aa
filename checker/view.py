"""What a check shows, decided once: the page draws this view and the terminal prints it.

Every sentence and label a reader sees about a team is made here, in both unit systems (the page
switches units without asking again), so the page and the command line cannot drift apart.
The view's shape is in checker/shape.py, the rows every card lists in checker/rows.py, and a
credit-plan team's card in checker/credit_card.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from checker import api, history
from checker.chart import period_chart
from checker.check import Plan, TeamReport
from checker.credit_card import credit_card
from checker.credits import team_credit_use
from checker.figures import UNIT_SYSTEMS, Usage, format_bytes, format_percent, usage
from checker.history import Reading
from checker.rows import amounts, as_netlify_reports, date_text, period_rows, quota_rows, usage_rows
from checker.shape import ErrorView, PageView, TeamView, UnitsView, View, meter, row

__all__ = ["TeamView", "View", "error_view", "page_view", "team_view"]


UNCHANGED = "Unchanged since the last check: Netlify has no newer figure yet."
UNKNOWN_PLAN = (
    "Netlify did not say which plan this team is on, so its bandwidth is shown alone, "
    "against no allowance or credits."
)


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
        else _pending_view(report)
        for report in reports
    ]
    if len(answered) < len(reports):
        status = f"{len(answered)} of {len(reports)} teams have answered…"
    else:
        status = ("Example: " if example else "") + _status(answered, teams)
    return {"status": status, "teams": teams}


def error_view(error: api.CheckError) -> ErrorView:
    return {"ok": False, "error": {"message": error.message, "field": error.field}}


def team_view(
    report: TeamReport, now: datetime, units: str, kept: Sequence[Reading] = ()
) -> TeamView:
    """A team's view; with the readings `kept` (checker/history.py), the period's earlier ones on
    its chart, and how much its usage moved since the latest of them."""
    current = history.reading(report, now)
    before = history.earlier(kept, current) if current is not None else []
    team = _team_view(report, now, units, [(reading.when, reading.used) for reading in before])
    last = history.last_period(kept, current) if current is not None else None
    if last is not None:
        team["rows"].append(
            row("Last period", f"{format_bytes(last.used, units)} by {date_text(last.when)}")
        )
    if before and report.bandwidth is not None:
        previous = before[-1]
        moved = report.bandwidth.used - previous.used
        since = f"since {date_text(previous.when)}"
        value = f"{'+' if moved > 0 else '-'}{format_bytes(abs(moved), units)} {since}"
        team["rows"].append(row("Since the last reading", value if moved else f"no change {since}"))
    return team


def _pending_view(account: api.Account) -> TeamView:
    team = _bare_view(account, "unknown")
    team["pending"] = True
    team["note"] = "Asking Netlify…"
    return team


def _bare_view(account: api.Account, plan: Plan) -> TeamView:
    subtitle = " · ".join(filter(None, [account.plan, _unless(account.slug, account.name)]))
    return {
        "slug": account.slug,
        "heading": account.name,
        "subtitle": subtitle,
        "plan": plan,
        "over": False,
        "runs_out": False,
        "pending": False,
        "error": None,
        "headline": None,
        "meter": None,
        "pace": None,
        "rows": [],
        "quotas": [],
        "note": None,
        "caveat": None,
        "link": None,
        "chart": None,
        "raw": "",
    }


def _team_view(
    report: TeamReport, now: datetime, units: str, earlier: list[tuple[datetime, int]]
) -> TeamView:
    account = report.account
    team = _bare_view(account, report.plan)
    team["raw"] = report.raw
    if report.unchanged:
        team["note"] = UNCHANGED
    if report.bandwidth is None:
        assert report.error is not None
        team["error"] = {"message": report.error.message, "field": None}
        return team
    team["quotas"] = quota_rows(account.quotas, report.plan)
    figures = usage(report.bandwidth, now)
    text = amounts(figures, units)
    use = team_credit_use(report, now)
    if use is not None:
        credit_card(team, report.bandwidth, use, figures, account.plan, text, now, earlier)
        return team
    team["chart"] = period_chart(
        report.bandwidth,
        now,
        amount=float,
        text=lambda amount: format_bytes(round(amount), units),
        level=figures.available if report.plan == "legacy" else None,
        level_label="included",
        earlier=earlier,
    )
    if report.plan == "unknown":
        team["headline"] = {"strong": text["used"], "rest": " used"}
        team["pace"] = {"text": UNKNOWN_PLAN, "tone": ""}
        team["rows"] = [
            row("Used", text["used"]),
            *as_netlify_reports(report.bandwidth, text),
            *period_rows(report.bandwidth, figures, now),
        ]
        return team
    percent = format_percent(figures.share) if figures.share is not None else None
    allowance = figures.available > 0
    team["over"] = figures.over > 0
    team["headline"] = {
        "strong": text["used"],
        "rest": (f" of {text['available']} used" if allowance else " used")
        + (f" ({percent})" if percent else ""),
    }
    if allowance:
        team["meter"] = meter(figures.used, figures.available, f"Bandwidth used: {percent}")
    pace = _pace(figures, text, percent)
    if pace:
        warning = figures.over > 0 or figures.on_course_to_run_over
        team["pace"] = {"text": pace, "tone": "warning" if warning else ""}
    team["rows"] = usage_rows(report.bandwidth, figures, text, now)
    return team


def _unless(value: str, same_as: str) -> str | None:
    return None if value == same_as else value


def _pace(figures: Usage, text: dict[str, str], percent: str | None) -> str | None:
    if figures.over > 0:
        return f"Over the allowance by {text['over']}."
    if figures.available == 0:
        return "This plan includes no bandwidth allowance to measure against."
    if figures.projected is None or figures.elapsed is None or figures.elapsed >= 1:
        return None
    shares = f"{percent} used with {format_percent(figures.elapsed)} of the period gone"
    if figures.on_course_to_run_over:
        return (
            f"On course to run over: {shares}. At this pace, about {text['projected']} "
            "by the period's end."
        )
    return f"On track: {shares}. At this pace, about {text['projected']} by the period's end."


def _status(reports: list[TeamReport], teams: list[TeamView]) -> str:
    if len(teams) == 1:
        [team] = teams
        if team["error"]:
            return f"{team['heading']}: {team['error']['message']}"
        headline = team["headline"]
        assert headline is not None
        return f"{team['heading']}: {headline['strong']}{headline['rest']}."
    over = sum(team["over"] for team in teams)
    running_out = sum(team["runs_out"] for team in teams)
    failed = sum(report.error is not None for report in reports)
    notes = [
        f"{over} over the allowance" if over else None,
        f"{running_out} on course to run out of credits" if running_out else None,
        f"{failed} could not be checked" if failed else None,
    ]
    said = ", ".join(filter(None, notes))
    return f"Checked {len(teams)} teams{': ' + said if said else ''}."
