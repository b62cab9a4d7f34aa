"""A team's card: every sentence, figure and row a reader sees about one team, decided once for
the page (which draws it) and the terminal (which prints it), in either unit system.

Each plan's card is a function that returns its fields (`legacy_card`, `credit_card`,
`unknown_card`); `team_view` puts them together with what every card has: the heading, the
team's other quotas, and how usage moved since the readings kept on the device.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from checker import api, history
from checker.chart import Chart, period_chart
from checker.credits import (
    BILLING_PAGE,
    CREDITS_PER_GB,
    RATE_SINCE,
    CreditUse,
    credits_for,
    credits_text,
    team_credit_use,
)
from checker.figures import Usage, ago, date_text, format_bytes, format_percent, usage
from checker.history import Reading
from checker.quotas import quota_rows
from checker.report import Plan, TeamReport
from checker.shape import Failure, Headline, Link, Meter, Pace, Row, meter, row

UNCHANGED = "Unchanged since the last check: Netlify has no newer figure yet."
UNKNOWN_PLAN = (
    "Netlify did not say which plan this team is on, so its bandwidth is shown alone, "
    "against no allowance or credits."
)
OTHER_SPENDING = (
    "Deploys, compute and web requests spend the same credits, and Netlify's API does not "
    "report them: fewer credits are left than this shows. A GB is taken as 10\u2079 bytes, "
    "which Netlify does not state."
)


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


class Fields(TypedDict):
    """What a plan's card decides from the team's figures."""

    headline: Headline
    meter: Meter | None
    pace: Pace | None
    rows: list[Row]
    caveat: str | None
    link: Link | None
    chart: Chart | None
    over: bool
    runs_out: bool


# The period's readings kept on the device, as (when, bytes used), for the chart.
Earlier = list[tuple[datetime, int]]


@dataclass(frozen=True)
class Given:
    """What every plan's card is made from: the team's figures at `now`, `text` each amount of
    them in the reader's `units`, and this period's readings kept on the device."""

    bandwidth: api.Bandwidth
    figures: Usage
    text: dict[str, str]
    now: datetime
    units: str
    earlier: Earlier


def team_view(
    report: TeamReport, now: datetime, units: str, kept: Sequence[Reading] = ()
) -> TeamView:
    """A team's card; with the readings `kept` (checker/history.py), the period's earlier ones on
    its chart, and how much its usage moved since the latest of them."""
    account = report.account
    note = UNCHANGED if report.unchanged else None
    if report.bandwidth is None:
        assert report.error is not None
        failure: Failure = {"message": report.error.message, "field": None}
        return _view(account, report.plan, raw=report.raw, note=note, error=failure)
    current = history.reading(report, now)
    before = history.earlier(kept, current) if current is not None else []
    earlier = [(reading.when, reading.used) for reading in before]
    fields = _fields(report, report.bandwidth, now, units, earlier)
    last = history.last_period(kept, current) if current is not None else None
    return _view(
        account,
        report.plan,
        raw=report.raw,
        note=note,
        fields=fields,
        since=_since_rows(report.bandwidth, last, before, units),
        quotas=quota_rows(account.quotas, report.plan),
    )


def pending_view(account: api.Account) -> TeamView:
    """A team still waiting for Netlify's answer."""
    return _view(account, "unknown", note="Asking Netlify…", pending=True)


def _view(
    account: api.Account,
    plan: Plan,
    *,
    raw: str = "",
    note: str | None = None,
    pending: bool = False,
    error: Failure | None = None,
    fields: Fields | None = None,
    since: Sequence[Row] = (),
    quotas: Sequence[Row] = (),
) -> TeamView:
    """A card: `fields` from the team's plan, followed by the rows the readings kept add
    (`since`), and the team's other quotas."""
    # The slug too, where it differs from the name.
    slug = account.slug if account.slug != account.name else None
    subtitle = " · ".join(filter(None, [account.plan, slug]))
    return {
        "slug": account.slug,
        "heading": account.name,
        "subtitle": subtitle,
        "plan": plan,
        "over": fields["over"] if fields else False,
        "runs_out": fields["runs_out"] if fields else False,
        "pending": pending,
        "error": error,
        "headline": fields["headline"] if fields else None,
        "meter": fields["meter"] if fields else None,
        "pace": fields["pace"] if fields else None,
        "rows": [*fields["rows"], *since] if fields else [],
        "quotas": list(quotas),
        "note": note,
        "caveat": fields["caveat"] if fields else None,
        "link": fields["link"] if fields else None,
        "chart": fields["chart"] if fields else None,
        "raw": raw,
    }


def _fields(
    report: TeamReport, bandwidth: api.Bandwidth, now: datetime, units: str, earlier: Earlier
) -> Fields:
    figures = usage(bandwidth, now)
    given = Given(bandwidth, figures, figures.worded(units), now, units, earlier)
    use = team_credit_use(report, now)
    if use is not None:
        return credit_card(given, use, report.account.plan, report.account.slug)
    if report.plan == "unknown":
        return unknown_card(given)
    return legacy_card(given)


# --- each plan's card ---------------------------------------------------------------------------


def legacy_card(given: Given) -> Fields:
    """A plan with a bandwidth allowance (or none at all): used, of what is available."""
    figures, text = given.figures, given.text
    percent = format_percent(figures.share) if figures.share is not None else None
    allowance = figures.available > 0
    sentence = _legacy_pace(figures, text, percent)
    warning = figures.over > 0 or figures.on_course_to_run_over
    return {
        "headline": {
            "strong": text["used"],
            "rest": (f" of {text['available']} used" if allowance else " used")
            + (f" ({percent})" if percent else ""),
        },
        "meter": (
            meter(figures.used, figures.available, f"Bandwidth used: {percent}")
            if allowance
            else None
        ),
        "pace": {"text": sentence, "tone": "warning" if warning else ""} if sentence else None,
        "rows": usage_rows(given.bandwidth, figures, text, given.now),
        "caveat": None,
        "link": None,
        "chart": _bytes_chart(given, figures.available),
        "over": figures.over > 0,
        "runs_out": False,
    }


def unknown_card(given: Given) -> Fields:
    """A team whose plan Netlify did not say: its bandwidth alone, against nothing."""
    used = given.text["used"]
    return {
        "headline": {"strong": used, "rest": " used"},
        "meter": None,
        "pace": {"text": UNKNOWN_PLAN, "tone": ""},
        "rows": [
            row("Used", used),
            *as_netlify_reports(given.bandwidth, given.text),
            *period_rows(given.bandwidth, given.figures, given.now),
        ],
        "caveat": None,
        "link": None,
        "chart": _bytes_chart(given, None),
        "over": False,
        "runs_out": False,
    }


def credit_card(given: Given, use: CreditUse, plan: str | None, slug: str) -> Fields:
    """A credit-based plan: what bandwidth has cost in credits and when, at this pace, they run
    out, with what the figures cannot include and where Netlify shows the rest. Never an
    allowance: there is none to be over. `plan` is the plan's name, `slug` the team's."""
    bandwidth, text = given.bandwidth, given.text
    included = f"{use.included:,}"
    percent = format_percent(use.share) if use.share is not None else None
    sentence = _credit_pace(use, bandwidth, plan)
    rows = [
        row("Bandwidth used", text["used"]),
        row("Credits for bandwidth", credits_text(use.spent)),
        row("Monthly credits", included),
    ]
    if use.projected is not None:
        rows.append(row("By the period's end", f"about {credits_text(use.projected)} credits"))
    rows.append(row("Rate", f"{CREDITS_PER_GB} credits per GB since {date_text(RATE_SINCE)}"))
    rows += as_netlify_reports(bandwidth, text)
    return {
        "headline": {
            "strong": f"{credits_text(use.spent)} of {included} credits",
            "rest": " spent on bandwidth" + (f" ({percent})" if percent else ""),
        },
        "meter": (
            meter(round(use.spent), use.included, f"Credits spent on bandwidth: {percent}")
            if use.included > 0
            else None
        ),
        "pace": (
            {"text": sentence, "tone": "warning" if use.on_course_to_run_out else ""}
            if sentence
            else None
        ),
        "rows": rows + period_rows(bandwidth, given.figures, given.now),
        "caveat": OTHER_SPENDING,
        "link": {
            "text": "Every credit the team has spent, on Netlify's billing page",
            "href": BILLING_PAGE.format(slug=slug),
        },
        "chart": period_chart(
            bandwidth,
            given.now,
            amount=credits_for,
            text=lambda amount: f"{credits_text(amount)} credits",
            level=use.included,
            level_label="a month",
            earlier=given.earlier,
        ),
        "over": False,
        "runs_out": use.on_course_to_run_out,
    }


def _bytes_chart(given: Given, level: int | None) -> Chart | None:
    return period_chart(
        given.bandwidth,
        given.now,
        amount=float,
        text=lambda amount: format_bytes(round(amount), given.units),
        level=level,
        level_label="included",
        earlier=given.earlier,
    )


# --- the sentences under the headline -----------------------------------------------------------


def _legacy_pace(figures: Usage, text: dict[str, str], percent: str | None) -> str | None:
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


def _credit_pace(use: CreditUse, bandwidth: api.Bandwidth, plan: str | None) -> str | None:
    then = _when_credits_run_out(plan)
    if use.used_up:
        return f"Bandwidth alone has cost all {use.included:,} of this period's credits. {then}"
    if use.runs_out is not None and bandwidth.period_end is not None:
        ends = date_text(bandwidth.period_end)
        return (
            f"At this pace, bandwidth alone uses the last of the {use.included:,} credits around "
            f"{date_text(use.runs_out)}, before the period ends on {ends}. " + then
        )
    if use.projected is None:
        return None
    return (
        f"On track: at this pace, bandwidth alone costs about {credits_text(use.projected)} of the "
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


# --- the rows every card lists ------------------------------------------------------------------


def usage_rows(
    bandwidth: api.Bandwidth, figures: Usage, text: dict[str, str], now: datetime
) -> list[Row]:
    # A plan without an allowance has nothing to use up: no "0 B included, 0 B remaining".
    allowance = figures.available > 0
    rows = [row("Used", text["used"]), row("Included", text["included"] if allowance else "none")]
    if figures.additional:
        rows.append(row("Additional", text["additional"]))
    if figures.over:
        rows.append(row("Over by", text["over"], "warning"))
    elif allowance:
        rows.append(row("Remaining", text["remaining"]))
    return rows + period_rows(bandwidth, figures, now)


def as_netlify_reports(bandwidth: api.Bandwidth, text: dict[str, str]) -> list[Row]:
    # On a plan without an allowance, what /bandwidth calls "included" is shown as given, and
    # nothing is measured against it.
    if not bandwidth.included:
        return []
    return [row("Included, as Netlify reports it", text["included"])]


def period_rows(bandwidth: api.Bandwidth, figures: Usage, now: datetime) -> list[Row]:
    rows = []
    start, end = bandwidth.period_start, bandwidth.period_end
    if start and end and figures.days_left is not None:
        rows.append(row("Billing period", f"{date_text(start)} \u2013 {date_text(end)}"))
        rows.append(row("Days left", str(figures.days_left)))
    if bandwidth.updated_at:
        rows.append(row("Figure updated", ago(bandwidth.updated_at, now)))
    return rows


def _since_rows(
    bandwidth: api.Bandwidth, last: Reading | None, before: Sequence[Reading], units: str
) -> list[Row]:
    """What the readings kept on the device add: the last period's figure, and the change since
    this period's latest reading."""
    rows = []
    if last is not None:
        said = f"{format_bytes(last.used, units)} by {date_text(last.when)}"
        rows.append(row("Last period", said))
    if before:
        previous = before[-1]
        moved = bandwidth.used - previous.used
        since = f"since {date_text(previous.when)}"
        value = f"{'+' if moved > 0 else '-'}{format_bytes(abs(moved), units)} {since}"
        rows.append(row("Since the last reading", value if moved else f"no change {since}"))
    return rows
