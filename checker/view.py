"""What a check shows, decided once: the page draws this view and the terminal prints it.

Every sentence and label a reader sees about a team is made here, in both unit systems (the page
switches units without asking again), so the page and the command line cannot drift apart.
docs/worker-protocol.md describes the view's shape for the page's side.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, TypedDict

from checker import api, history
from checker.chart import Chart, period_chart
from checker.check import Plan, TeamReport
from checker.credits import (
    BILLING_PAGE,
    CREDITS_PER_GB,
    RATE_SINCE,
    CreditUse,
    credits_for,
    team_credit_use,
)
from checker.figures import UNIT_SYSTEMS, Usage, format_bytes, format_percent, usage
from checker.history import Reading

Tone = Literal["", "warning"]


class Row(TypedDict):
    label: str
    value: str
    tone: Tone


class Headline(TypedDict):
    strong: str  # the amount used, which the page sets in bold
    rest: str


class Meter(TypedDict):
    value: int
    max: int
    low: int
    high: int
    label: str


class Pace(TypedDict):
    text: str
    tone: Tone


class Failure(TypedDict):
    message: str
    # Which of the form's fields the reader should look at again: "token", "team" or None.
    field: str | None


class Link(TypedDict):
    text: str
    href: str  # always one of Netlify's own pages, https://app.netlify.com/…


class TeamView(TypedDict):
    slug: str
    heading: str
    subtitle: str
    plan: Plan  # "legacy" (an allowance), "credit" (credits) or "unknown"
    over: bool  # over a bandwidth allowance: only ever on a legacy plan
    runs_out: bool  # on course to use up a credit plan's credits
    pending: bool  # still waiting for Netlify's answer: heading, subtitle and note only
    error: Failure | None
    headline: Headline | None
    meter: Meter | None
    pace: Pace | None
    rows: list[Row]
    quotas: list[Row]
    note: str | None
    caveat: str | None  # what the figures cannot include
    link: Link | None
    chart: Chart | None  # the billing period drawn: usage, pace and the allowance or credits
    raw: str


class UnitsView(TypedDict):
    status: str  # the one sentence the status line announces
    teams: list[TeamView]


class PageView(TypedDict):
    ok: Literal[True]
    example: bool
    units: dict[str, UnitsView]  # by unit system: "binary", "decimal"
    history: list[str]  # the readings to keep on this device, as checker/history.py writes them


class ErrorView(TypedDict):
    ok: Literal[False]
    error: Failure


View = PageView | ErrorView

UNCHANGED = "Unchanged since the last check: Netlify has no newer figure yet."
OTHER_SPENDING = (
    "Deploys, compute and web requests spend the same credits, and Netlify's API does not "
    "report them: fewer credits are left than this shows. A GB is taken as 10\u2079 bytes, "
    "which Netlify does not state."
)
UNKNOWN_PLAN = (
    "Netlify did not say which plan this team is on, so its bandwidth is shown alone, "
    "against no allowance or credits."
)
QUOTA_LABELS = {
    "sites": "Sites",
    "collaborators": "Collaborators",
    "build_minutes": "Build minutes",
    "credits": "Credits",
}
# The meter turns amber, then red, at these shares of the allowance.
METER_LOW, METER_HIGH = 0.75, 0.9
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
    keep = [] if example else history.kept_with(kept, answered, now)
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
    team = _team_view(report, now, units, [(kept.when, kept.used) for kept in before])
    last = history.last_period(kept, current) if current is not None else None
    if last is not None:
        team["rows"].append(
            _row("Last period", f"{format_bytes(last.used, units)} by {_date(last.when)}")
        )
    if before and report.bandwidth is not None:
        previous = before[-1]
        moved = report.bandwidth.used - previous.used
        since = f"since {_date(previous.when)}"
        value = f"{'+' if moved > 0 else '-'}{format_bytes(abs(moved), units)} {since}"
        team["rows"].append(
            _row("Since the last reading", value if moved else f"no change {since}")
        )
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
    text = _amounts(figures, units)
    use = team_credit_use(report, now)
    if use is not None:
        _credit_plan(team, report.bandwidth, use, figures, account.plan, text, now)
        team["chart"] = period_chart(
            report.bandwidth,
            now,
            amount=credits_for,
            text=lambda amount: f"{_credits(amount)} credits",
            level=use.included,
            level_label="a month",
            earlier=earlier,
        )
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
            _row("Used", text["used"]),
            *_as_netlify_reports(report.bandwidth, text),
            *_period_rows(report.bandwidth, figures, now),
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
        team["meter"] = _meter(figures.used, figures.available, f"Bandwidth used: {percent}")
    pace = _pace(figures, text, percent)
    if pace:
        warning = figures.over > 0 or figures.on_course_to_run_over
        team["pace"] = {"text": pace, "tone": "warning" if warning else ""}
    team["rows"] = _rows(report.bandwidth, figures, text, now)
    return team


def _credit_plan(
    team: TeamView,
    bandwidth: api.Bandwidth,
    use: CreditUse,
    figures: Usage,
    plan: str | None,
    text: dict[str, str],
    now: datetime,
) -> None:
    """A credit team: what its bandwidth costs in credits, and when they would run out. Never
    an allowance: there is none to be over."""
    included = f"{use.included:,}"
    percent = format_percent(use.share) if use.share is not None else None
    team["headline"] = {
        "strong": f"{_credits(use.spent)} of {included} credits",
        "rest": " spent on bandwidth" + (f" ({percent})" if percent else ""),
    }
    if use.included > 0:
        label = f"Credits spent on bandwidth: {percent}"
        team["meter"] = _meter(round(use.spent), use.included, label)
    team["runs_out"] = use.on_course_to_run_out
    pace = _credit_pace(use, bandwidth, plan)
    if pace:
        team["pace"] = {"text": pace, "tone": "warning" if use.on_course_to_run_out else ""}
    rate = f"{CREDITS_PER_GB} credits per GB since {_date(RATE_SINCE)}"
    rows = [
        _row("Bandwidth used", text["used"]),
        _row("Credits for bandwidth", _credits(use.spent)),
        _row("Monthly credits", included),
    ]
    if use.projected is not None:
        rows.append(_row("By the period's end", f"about {_credits(use.projected)} credits"))
    rows.append(_row("Rate", rate))
    rows += _as_netlify_reports(bandwidth, text)
    team["rows"] = rows + _period_rows(bandwidth, figures, now)
    team["caveat"] = OTHER_SPENDING
    team["link"] = {
        "text": "Every credit the team has spent, on Netlify's billing page",
        "href": BILLING_PAGE.format(slug=team["slug"]),
    }


def _meter(value: int, maximum: int, label: str) -> Meter:
    """A meter of `maximum`, which turns amber and then red at METER_LOW and METER_HIGH."""
    return {
        "value": min(value, maximum),
        "max": maximum,
        "low": round(maximum * METER_LOW),
        "high": round(maximum * METER_HIGH),
        "label": label,
    }


def _credit_pace(use: CreditUse, bandwidth: api.Bandwidth, plan: str | None) -> str | None:
    then = _when_credits_run_out(plan)
    if use.used_up:
        return f"Bandwidth alone has cost all {use.included:,} of this period's credits. {then}"
    if use.runs_out is not None and bandwidth.period_end is not None:
        return (
            f"At this pace, bandwidth alone uses the last of the {use.included:,} credits around "
            f"{_date(use.runs_out)}, before the period ends on {_date(bandwidth.period_end)}. "
            + then
        )
    if use.projected is None:
        return None
    return (
        f"On track: at this pace, bandwidth alone costs about {_credits(use.projected)} of the "
        f"{use.included:,} credits by the period's end."
    )


def _when_credits_run_out(plan: str | None) -> str:
    # The consequence depends on the plan: Free has a hard limit. The plan's name says which;
    # whether the team is on credits at all was decided by what Netlify counts, never by a name.
    if (plan or "").strip().lower() == "free":
        return "On the Free plan, every site of the team is then paused until the next period."
    return (
        "Netlify then pauses every site of the team, unless more credits are bought or auto "
        "recharge is on."
    )


def _credits(amount: float) -> str:
    return "under 1" if 0 < amount < 0.5 else f"{round(amount):,}"


def _as_netlify_reports(bandwidth: api.Bandwidth, text: dict[str, str]) -> list[Row]:
    # On a plan without an allowance, what /bandwidth calls "included" is shown as given, and
    # nothing is measured against it.
    if not bandwidth.included:
        return []
    return [_row("Included, as Netlify reports it", text["included"])]


def _unless(value: str, same_as: str) -> str | None:
    return None if value == same_as else value


def _amounts(figures: Usage, units: str) -> dict[str, str]:
    return {k: format_bytes(v, units) for k, v in figures.amounts().items() if v is not None}


def _rows(
    bandwidth: api.Bandwidth, figures: Usage, text: dict[str, str], now: datetime
) -> list[Row]:
    # A plan without an allowance has nothing to use up: no "0 B included, 0 B remaining".
    allowance = figures.available > 0
    rows = [_row("Used", text["used"]), _row("Included", text["included"] if allowance else "none")]
    if figures.additional:
        rows.append(_row("Additional", text["additional"]))
    if figures.over:
        rows.append(_row("Over by", text["over"], "warning"))
    elif allowance:
        rows.append(_row("Remaining", text["remaining"]))
    return rows + _period_rows(bandwidth, figures, now)


def _period_rows(bandwidth: api.Bandwidth, figures: Usage, now: datetime) -> list[Row]:
    rows = []
    start, end = bandwidth.period_start, bandwidth.period_end
    if start and end and figures.days_left is not None:
        rows.append(_row("Billing period", f"{_date(start)} \u2013 {_date(end)}"))
        rows.append(_row("Days left", str(figures.days_left)))
    if bandwidth.updated_at:
        rows.append(_row("Figure updated", ago(bandwidth.updated_at, now)))
    return rows


def _row(label: str, value: str, tone: Tone = "") -> Row:
    return {"label": label, "value": value, "tone": tone}


def _date(when: datetime | date) -> str:
    # The date as Netlify gave it, in its own offset: a period ends on the same day for everyone.
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


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


def quota_rows(quotas: dict[str, api.Quota], plan: Plan) -> list[Row]:
    """The team's other quotas, in the order Netlify lists them."""
    rows = []
    for name, quota in quotas.items():
        if name == "bandwidth" or (name == "credits" and plan == "credit"):
            continue  # shown in full above
        label = QUOTA_LABELS.get(name, name.replace("_", " ").capitalize())
        used, included = quota.used, quota.included
        if name == "credits" and not used:
            # Netlify's API reads 0 on credit-based plans whatever was spent (open-api #640).
            allowance = f"{included:,} included; " if included else ""
            value = f"{allowance}usage not reported by Netlify's API"
        elif used is not None and included is not None:
            value = f"{used:,} of {included:,}"
        elif used is not None:
            value = f"{used:,} used"
        elif included is not None:
            value = f"{included:,} included"
        else:
            continue
        rows.append(_row(label, value))
    return rows


def ago(when: datetime, now: datetime) -> str:
    minutes = max(0, round((now - when).total_seconds() / 60))
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = round(minutes / 60)
    return f"{hours} hours ago" if hours < 48 else f"{round(hours / 24)} days ago"


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
