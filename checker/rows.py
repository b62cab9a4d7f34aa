"""The rows of figures a card lists, worded once for every plan: what is used and included, the
billing period, when the figure was made, and the team's other quotas.
"""

from __future__ import annotations

from datetime import date, datetime

from checker import api
from checker.check import Plan
from checker.figures import Usage, format_bytes
from checker.shape import Row, row

QUOTA_LABELS = {
    "sites": "Sites",
    "collaborators": "Collaborators",
    "build_minutes": "Build minutes",
    "credits": "Credits",
}
# The meter turns amber, then red, at these shares of the allowance.
METER_LOW, METER_HIGH = 0.75, 0.9
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def amounts(figures: Usage, units: str) -> dict[str, str]:
    return {k: format_bytes(v, units) for k, v in figures.amounts().items() if v is not None}


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


def date_text(when: datetime | date) -> str:
    # The date as Netlify gave it, in its own offset: a period ends on the same day for everyone.
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


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
        rows.append(row(label, value))
    return rows


def ago(when: datetime, now: datetime) -> str:
    minutes = max(0, round((now - when).total_seconds() / 60))
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = round(minutes / 60)
    return f"{hours} hours ago" if hours < 48 else f"{round(hours / 24)} days ago"
