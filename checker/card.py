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
from checker.chart import period_chart
from checker.credits import (
    BILLING_PAGE,
    CREDITS_PER_DEPLOY,
    CREDITS_PER_GB,
    RATE_SINCE,
    CreditUse,
    credits_for,
    credits_text,
    deploy_credits,
    team_credit_use,
    when_spent,
)
from checker.figures import Usage, date_text, format_bytes, format_percent, usage
from checker.history import Reading
from checker.quotas import quota_rows
from checker.report import Deploys, TeamReport
from checker.rows import as_netlify_reports, period_rows, usage_rows
from checker.shape import (
    Chart,
    Failure,
    Headline,
    Link,
    Meter,
    Pace,
    Plan,
    Row,
    TeamView,
    meter,
    row,
)

UNCHANGED = "Unchanged since the last check: Netlify has no newer figure yet."
UNKNOWN_PLAN = (
    "Netlify did not say which plan this team is on, so its bandwidth is shown alone, "
    "against no allowance or credits."
)
UNSEEN_SPENDING = (
    "Compute, web requests and AI inference spend the same credits, and Netlify's API does not "
    "report them: fewer credits are left than this shows. A GB is taken as 10\u2079 bytes, "
    "which Netlify does not state."
)
RATE = (
    f"{CREDITS_PER_GB} credits per GB since {date_text(RATE_SINCE)}; "
    f"{CREDITS_PER_DEPLOY} a production deploy"
)


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
    note: str | None  # what is still under way: a credit team's deploys being counted


@dataclass(frozen=True)
class Given:
    """What every plan's card is made from: the team's figures at `now`, `text` each amount of
    them in the reader's `units`, and this period's readings kept on the device."""

    bandwidth: api.Bandwidth
    figures: Usage
    text: dict[str, str]
    now: datetime
    units: str
    before: Sequence[Reading]


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
    fields = _fields(report, report.bandwidth, now, units, before)
    last = history.last_period(kept, current) if current is not None else None
    assert current is not None
    return _view(
        account,
        report.plan,
        raw=report.raw,
        note=fields["note"] or note,
        fields=fields,
        since=_since_rows(current, last, before, units),
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
    report: TeamReport,
    bandwidth: api.Bandwidth,
    now: datetime,
    units: str,
    before: Sequence[Reading],
) -> Fields:
    figures = usage(bandwidth, now)
    given = Given(bandwidth, figures, figures.worded(units), now, units, before)
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
        "note": None,
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
        "note": None,
    }


def credit_card(given: Given, use: CreditUse, plan: str | None, slug: str) -> Fields:
    """A credit-based plan: what bandwidth and production deploys have cost in credits and when,
    at this pace, they run out, with what the API cannot see and where Netlify shows the rest.
    Never an allowance: there is none to be over. `plan` is the plan's name, `slug` the team's."""
    bandwidth, text = given.bandwidth, given.text
    included = f"{use.included:,}"
    percent = format_percent(use.share) if use.share is not None else None
    spent = ("at least " if use.at_least else "") + credits_text(use.spent)
    rows = [
        row("Bandwidth", f"{text['used']}: {credits_text(use.bandwidth)} credits"),
        *deploy_rows(use.deploys),
        row("Monthly credits", included),
    ]
    if use.projected is not None:
        rows.append(row("By the period's end", f"about {credits_text(use.projected)} credits"))
    rows.append(row("Rate", RATE))
    rows += as_netlify_reports(bandwidth, text)
    return {
        "headline": {
            "strong": f"{spent} of {included} credits",
            "rest": " spent" + (f" ({percent})" if percent else ""),
        },
        "meter": (
            meter(round(use.spent), use.included, f"Credits spent: {percent}")
            if use.included > 0
            else None
        ),
        "pace": {
            "text": _credit_pace(use, bandwidth, plan),
            "tone": "warning" if use.on_course_to_run_out else "",
        },
        "rows": rows + period_rows(bandwidth, given.figures, given.now),
        "caveat": UNSEEN_SPENDING,
        "link": {
            "text": "Every credit the team has spent, on Netlify's billing page",
            "href": BILLING_PAGE.format(slug=slug),
        },
        "chart": period_chart(
            bandwidth,
            given.now,
            used=use.spent,
            text=lambda amount: f"{credits_text(amount)} credits",
            level=use.included,
            level_label="a month",
            earlier=[(reading.when, _reading_credits(reading)) for reading in given.before],
        ),
        "over": False,
        "runs_out": use.on_course_to_run_out,
        "note": _counting(use.deploys),
    }


def deploy_rows(deploys: Deploys | None) -> list[Row]:
    """The production deploys counted, what they cost, and the sites that deployed most."""
    if deploys is None or deploys.unknown is not None:
        why = deploys.unknown if deploys else "not counted"
        return [row("Production deploys", f"not counted: {why}", "warning")]
    cost = f"{deploys.count:,}: {deploy_credits(deploys):,} credits"
    missed = []
    if deploys.failed:
        missed.append(f"{deploys.failed} site{'s' * (deploys.failed != 1)} could not be read")
    if deploys.left_out:
        missed.append(f"{deploys.left_out} not counted: this check's budget of requests ran out")
    said = "; ".join(missed)
    rows = [row("Production deploys", f"at least {cost} ({said})" if said else cost)]
    if deploys.by_site:
        most = ", ".join(f"{name} {count}" for name, count in deploys.by_site[:3])
        rows.append(row("Deployed most", most))
    return rows


def _counting(deploys: Deploys | None) -> str | None:
    if deploys is None or deploys.done:
        return None
    if deploys.sites is None:
        return "Counting production deploys…"
    return f"Counting production deploys: {deploys.counted} of {deploys.sites} sites…"


def _bytes_chart(given: Given, level: int | None) -> Chart | None:
    return period_chart(
        given.bandwidth,
        given.now,
        used=float(given.bandwidth.used),
        text=lambda amount: format_bytes(round(amount), given.units),
        level=level,
        level_label="included",
        earlier=[(reading.when, float(reading.used)) for reading in given.before],
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


def _credit_pace(use: CreditUse, bandwidth: api.Bandwidth, plan: str | None) -> str:
    rule = when_spent(plan)
    if use.used_up:
        return f"Bandwidth and production deploys have cost all {use.included:,} credits. {rule}"
    if use.runs_out is not None and bandwidth.period_end is not None:
        ends = date_text(bandwidth.period_end)
        return (
            f"At this pace the team spends the last of its {use.included:,} credits around "
            f"{date_text(use.runs_out)}, before the period ends on {ends}. {rule}"
        )
    if use.projected is None:
        return rule
    return (
        f"On track: at this pace, about {credits_text(use.projected)} of the {use.included:,} "
        f"credits by the period's end. {rule}"
    )


def _since_rows(
    current: Reading, last: Reading | None, before: Sequence[Reading], units: str
) -> list[Row]:
    """What the readings kept on the device add: the last period's figure, and the change since
    this period's latest reading (a credit team's production deploys too, where both readings
    counted them all)."""
    rows = []
    if last is not None:
        said = f"{format_bytes(last.used, units)} by {date_text(last.when)}"
        rows.append(row("Last period", said))
    if before:
        previous = before[-1]
        moved = current.used - previous.used
        since = f"since {date_text(previous.when)}"
        said = f"{'+' if moved > 0 else '-'}{format_bytes(abs(moved), units)}" if moved else ""
        if current.deploys is not None and previous.deploys is not None:
            deployed = current.deploys - previous.deploys
            plural = "s" * (abs(deployed) != 1)
            count = f"{deployed:+d} production deploy{plural}" if deployed else ""
            said = " and ".join(filter(None, [said, count]))
        value = f"{said} {since}" if said else f"no change {since}"
        rows.append(row("Since the last reading", value))
    return rows


def _reading_credits(reading: Reading) -> float:
    """A kept reading in credits, for the chart: its deploys too, where they were all counted."""
    return credits_for(reading.used) + deploy_credits(reading.deploys)
