"""The rows of figures every card lists, worded once for every plan: what is used and included,
and the billing period with when Netlify made the figure."""

from __future__ import annotations

from datetime import datetime

from checker.figures.amounts import Usage, ago, date_text, days_left
from checker.netlify import api
from checker.netlify.report import Period, bandwidth_period
from checker.view.shape import Row, row


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
    return rows + period_rows(bandwidth_period(bandwidth), bandwidth.updated_at, now)


def as_netlify_reports(bandwidth: api.Bandwidth, text: dict[str, str]) -> list[Row]:
    # On a plan without an allowance, what /bandwidth calls "included" is shown as given, and
    # nothing is measured against it.
    if not bandwidth.included:
        return []
    return [row("Included, as Netlify reports it", text["included"])]


def period_rows(period: Period, updated_at: datetime | None, now: datetime) -> list[Row]:
    """The billing period and the days left in it, and when Netlify made the figure."""
    rows = []
    start, end = period.start, period.end
    if start and end:
        rows.append(row("Billing period", period_text(start, end)))
        rows.append(row("Days left", str(days_left(end, now))))
    if updated_at:
        rows.append(row("Figure updated", ago(updated_at, now)))
    return rows


def period_text(start: datetime, end: datetime) -> str:
    return f"{date_text(start)} \u2013 {date_text(end)}"
