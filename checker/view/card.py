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
from typing import Any, TypedDict

from checker.figures import credits, history
from checker.figures.amounts import Usage, date_text, format_bytes, format_percent
from checker.figures.credits import (
    BILLING_PAGE,
    PRODUCTION_DEPLOYS,
    CreditUse,
    MeterUse,
    credits_for,
    credits_text,
)
from checker.figures.history import Reading
from checker.figures.team import Team, team_model
from checker.netlify import api
from checker.netlify.report import TeamReport, bandwidth_period
from checker.view.chart import period_chart
from checker.view.names import listed
from checker.view.quotas import quota_rows
from checker.view.rows import as_netlify_reports, period_rows, period_text, usage_rows
from checker.view.shape import (
    Chart,
    Failure,
    Gauge,
    Headline,
    Link,
    PaceLine,
    Plan,
    Row,
    TeamView,
    Tone,
    meter,
    row,
)
from checker.view.text import shown_text
from checker.view.words import deploys_left, headline, pace_line

UNCHANGED = "Unchanged since the last check: Netlify has no newer figure yet."
UNSEEN_SPENDING = (
    "Compute, web requests and AI inference spend the same credits, and Netlify's API does not "
    "report them; Netlify also bills deploys its lists no longer show: fewer credits are left "
    "than this shows. A GB is taken as 10\u2079 bytes, which Netlify does not state."
)
NETLIFY_COUNTS = (
    "Netlify's own count covers every meter, compute, web requests and AI inference included, "
    "and can lag by half an hour. A GB is taken as 10\u2079 bytes, which Netlify does not state."
)


class Fields(TypedDict):
    """What a plan's card decides from the team's figures."""

    headline: Headline
    meter: Gauge | None
    pace: PaceLine | None
    rows: list[Row]
    caveat: str | None
    link: Link | None
    chart: Chart | None
    over: bool
    runs_out: bool
    note: str | None  # what is still under way: a credit team's meters being counted


@dataclass(frozen=True)
class Given:
    """What every plan's card is made from: the team's figures at `now`, `text` each amount of
    them in the reader's `units`, and this period's readings kept on the device."""

    model: Team
    bandwidth: api.Bandwidth
    figures: Usage
    text: dict[str, str]
    now: datetime
    units: str
    before: Sequence[Reading]


def team_view(
    report: TeamReport, now: datetime, units: str, kept: Sequence[Reading] = ()
) -> TeamView:
    """A team's card; with the readings `kept` (checker/figures/history.py), the period's earlier
    ones on its chart, and how much its usage moved since the latest of them."""
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
    view: TeamView = {
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
    return _shown(view)


def _shown(value: Any) -> Any:
    """Every text of a card as a reader is shown it (view/text.py): a name, a state or a site
    from Netlify can stand anywhere in it, so all of it passes, once, here."""
    if isinstance(value, str):
        return shown_text(value)
    if isinstance(value, dict):
        # Netlify's answer as JSON, escaped to ASCII: its line breaks are the page's own.
        return {key: item if key == "raw" else _shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shown(item) for item in value]
    return value


def _fields(
    report: TeamReport,
    bandwidth: api.Bandwidth,
    now: datetime,
    units: str,
    before: Sequence[Reading],
) -> Fields:
    model = team_model(report, now)
    figures = model.usage
    assert figures is not None
    given = Given(model, bandwidth, figures, figures.worded(units), now, units, before)
    use = model.credits
    if use is not None:
        fields = credit_card(given, use, report.account)
    elif report.plan == "unknown":
        fields = unknown_card(given)
    else:
        fields = legacy_card(given)
    if model.netlify_over:
        return reported_over(fields, report.account, credit=use is not None)
    return fields


# --- each plan's card ---------------------------------------------------------------------------


def legacy_card(given: Given) -> Fields:
    """A plan with a bandwidth allowance (or none at all): used, of what is available."""
    figures, text = given.figures, given.text
    return {
        "headline": headline(given.model, text),
        "meter": _bytes_meter(figures),
        "pace": pace_line(given.model, text),
        "rows": usage_rows(given.bandwidth, figures, text, given.now),
        "caveat": None,
        "link": None,
        "chart": _bytes_chart(given, figures.available),
        "over": given.model.over,
        "runs_out": False,
        "note": None,
    }


def unknown_card(given: Given) -> Fields:
    """A team whose plan Netlify did not say: its bandwidth alone, measured against the allowance
    its bandwidth answer gives, if it gives one."""
    figures, text = given.figures, given.text
    return {
        "headline": headline(given.model, text),
        "meter": _bytes_meter(figures),
        "pace": pace_line(given.model, text),
        "rows": [
            row("Used", text["used"]),
            *as_netlify_reports(given.bandwidth, text),
            *period_rows(bandwidth_period(given.bandwidth), given.bandwidth.updated_at, given.now),
        ],
        "caveat": None,
        "link": None,
        "chart": _bytes_chart(given, figures.available or None),
        "over": given.model.over,
        "runs_out": False,
        "note": None,
    }


def credit_card(given: Given, use: CreditUse, account: api.Account) -> Fields:
    """A credit-based plan: what the credits spent come to and when, at this pace, they run out,
    with what the API cannot see and where Netlify shows the rest. The share is worked from the
    higher of two counts, the checker's estimate (bandwidth and the meters it counts) and
    Netlify's own, and the card says which. Never an allowance: there is none to be over."""
    bandwidth, text = given.bandwidth, given.text
    included = f"{use.included:,}"
    percent = format_percent(use.share) if use.share is not None else None
    rows = [
        *_netlify_count_rows(use),
        row("Bandwidth", f"{text['used']}: {credits_text(use.bandwidth)} credits"),
        *[counted for meter in use.counts for counted in count_rows(meter)],
        row("Monthly credits", included),
        row("Deploys left", _deploys_left(use)),
    ]
    if use.projected is not None:
        rows.append(row("By the period's end", f"about {credits_text(use.projected)} credits"))
    rows.append(row("Rate", "; ".join(meter.rate() for meter in credits.METERS)))
    rows += as_netlify_reports(bandwidth, text)
    rows += period_rows(use.period, bandwidth.updated_at, given.now)
    rows += _other_period(use, bandwidth)
    return {
        "headline": headline(given.model, text),
        "meter": (
            meter(round(use.spent), use.included, f"Credits spent: {percent}")
            if use.included > 0
            else None
        ),
        "pace": pace_line(given.model, text),
        "rows": rows,
        "caveat": NETLIFY_COUNTS if use.counted_by == "netlify" else UNSEEN_SPENDING,
        "link": {
            "text": "Every credit the team has spent, on Netlify's billing page",
            "href": BILLING_PAGE.format(slug=account.slug),
        },
        "chart": period_chart(
            use.period,
            given.now,
            used=use.spent,
            text=lambda amount: f"{credits_text(amount)} credits",
            level=use.included,
            level_label="a month",
            earlier=[(reading.when, _reading_credits(reading)) for reading in given.before],
        ),
        "over": False,
        "runs_out": use.on_course_to_run_out,
        "note": next(filter(None, map(_counting, use.counts)), None),
    }


def _netlify_count_rows(use: CreditUse) -> list[Row]:
    """Netlify's own count beside the estimate, when it gives one above 0, and which drove."""
    if use.netlify is None:
        return []
    share = f", {format_percent(use.netlify / use.included)}" if use.included else ""
    estimate = f"at least {credits_text(use.estimate)} credits"
    drove = (
        f"Netlify's own count, higher than the estimate ({estimate})"
        if use.counted_by == "netlify"
        else f"the estimate ({estimate}), higher than Netlify's count, which can lag"
    )
    return [
        row(
            "Netlify's own count",
            f"Netlify counts {use.netlify:,} of {use.included:,} credits{share}",
        ),
        row("Share worked from", drove),
    ]


def _deploys_left(use: CreditUse) -> str:
    if use.used_up:
        return "none: the month's credits are spent"
    each = f"({PRODUCTION_DEPLOYS.credits} credits each)"
    return f"{deploys_left(use)} {each} before the credits run out"


def _other_period(use: CreditUse, bandwidth: api.Bandwidth) -> list[Row]:
    """When Netlify's credit cycle is not the period of the bandwidth answer, which is used."""
    start, end = bandwidth.period_start, bandwidth.period_end
    if use.period.source != "cycle" or start is None or end is None:
        return []
    if (start, end) == (use.period.start, use.period.end):
        return []
    return [
        row(
            "Bandwidth's own period",
            f"{period_text(start, end)}: the bandwidth figure covers this period; production "
            "deploys and the pace follow the credit billing cycle above, which Netlify's "
            "account gives",
            "warning",
        )
    ]


def reported_over(fields: Fields, account: api.Account, *, credit: bool) -> Fields:
    """A card whose team Netlify itself reports over: that comes first (checker/view/words.py),
    whatever the checker's own figures say, with the sites Netlify lists and its billing page."""
    rows = list(fields["rows"])
    if account.billing.sites_exceeded:
        said = listed(account.billing.sites_exceeded, "site")
        rows.insert(0, row("Sites over", said, "warning"))
    return {
        **fields,
        "rows": rows,
        "link": {
            "text": "What is paused, and buying credits, on Netlify's billing page",
            "href": BILLING_PAGE.format(slug=account.slug),
        },
        "over": True,
        "runs_out": credit,
    }


def count_rows(use: MeterUse) -> list[Row]:
    """A counted meter (production deploys): how many, what they cost, the sites with most."""
    counted, meter = use.counted, use.meter
    if counted is None or counted.unknown is not None:
        why = counted.unknown if counted else "not counted"
        return [row(meter.name, f"not counted: {why}", "warning")]
    # A lower bound whatever the count: Netlify bills deploys its lists no longer show.
    cost = f"at least {counted.count:,}: {use.credits:,} credits"
    missed = []
    if counted.failed:
        missed.append(f"{counted.failed} site{'s' * (counted.failed != 1)} could not be read")
    if counted.left_out:
        missed.append(f"{counted.left_out} not counted: this check's budget of requests ran out")
    if counted.unreadable:
        missed.append(f"{counted.unreadable} without a readable id or date, not counted")
    said = "; ".join(missed)
    tone: Tone = "warning" if said else ""
    rows = [row(meter.name, f"{cost} ({said})" if said else cost, tone)]
    if counted.by_site:
        most = ", ".join(f"{name} {count}" for name, count in counted.by_site[:3])
        rows.append(row(f"Most {meter.units}", most))
    return rows


def _counting(use: MeterUse) -> str | None:
    counted, units = use.counted, use.meter.units
    if counted is None or counted.done:
        return None
    if counted.sites is None:
        return f"Counting {units}…"
    return f"Counting {units}: {counted.counted} of {counted.sites} sites…"


def _bytes_meter(figures: Usage) -> Gauge | None:
    """A meter of the allowance, if there is one to fill."""
    if figures.available == 0:
        return None
    percent = format_percent(figures.share) if figures.share is not None else ""
    return meter(figures.used, figures.available, f"Bandwidth used: {percent}")


def _bytes_chart(given: Given, level: int | None) -> Chart | None:
    return period_chart(
        bandwidth_period(given.bandwidth),
        given.now,
        used=float(given.bandwidth.used),
        text=lambda amount: format_bytes(round(amount), given.units),
        level=level,
        level_label="included",
        earlier=[(reading.when, float(reading.used)) for reading in given.before],
    )


# --- the sentences under the headline -----------------------------------------------------------


def _since_rows(
    current: Reading, last: Reading | None, before: Sequence[Reading], units: str
) -> list[Row]:
    """What the readings kept on the device add: the last period's figure, and the change since
    this period's latest reading (a credit team's counted meters too, where both readings
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
        for meter in credits.COUNTED:
            later, earlier = current.counts.get(meter.key), previous.counts.get(meter.key)
            if later is not None and earlier is not None and later != earlier:
                said = " and ".join(filter(None, [said, meter.amount(later - earlier, "+")]))
        value = f"{said} {since}" if said else f"no change {since}"
        rows.append(row("Since the last reading", value))
    return rows


def _reading_credits(reading: Reading) -> float:
    """A kept reading in credits, for the chart, as the card counts them: its bandwidth and its
    counted meters (where each was all counted), or Netlify's own count where that was higher."""
    counted = sum(m.cost(reading.counts.get(m.key, 0)) for m in credits.COUNTED)
    return max(credits_for(reading.used) + counted, reading.credits or 0)
