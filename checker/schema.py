"""A team's figures as plain data: the `--json` document (its schema is in the README)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from checker.check import TeamReport
from checker.figures import usage

JSON_SCHEMA = "netlify-bandwidth-checker/1"


def document(reports: list[TeamReport], now: datetime, *, example: bool = False) -> dict[str, Any]:
    return {
        "schema": JSON_SCHEMA,
        "checked_at": now.isoformat(),
        "units": "bytes",
        **({"example": True} if example else {}),
        "teams": [summary(report, now) for report in reports],
    }


def summary(report: TeamReport, now: datetime) -> dict[str, Any]:
    """A team's figures: bytes as integers, dates as ISO 8601 with Netlify's offsets."""
    account = report.account
    team: dict[str, Any] = {
        "slug": account.slug,
        "name": account.name,
        "plan": account.plan,
        "error": report.error.message if report.error else None,
        "bandwidth": None,
        "period": None,
        "updated_at": None,
        "quotas": {
            name: {"used": quota.used, "included": quota.included}
            for name, quota in account.quotas.items()
        },
    }
    if report.bandwidth is None:
        return team
    figures = usage(report.bandwidth, now)
    team["bandwidth"] = {
        **figures.amounts(),
        "used_percent": None if figures.share is None else round(figures.share * 100, 2),
        "on_course_to_run_over": figures.on_course_to_run_over,
    }
    team["period"] = {
        "start": _iso(report.bandwidth.period_start),
        "end": _iso(report.bandwidth.period_end),
        "days_left": figures.days_left,
        "elapsed_percent": None if figures.elapsed is None else round(figures.elapsed * 100, 2),
    }
    team["updated_at"] = _iso(report.bandwidth.updated_at)
    return team


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()
