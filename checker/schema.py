"""A team's figures as plain data: the `--json` document, whose schema docs/json-schema.md gives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from checker import credits
from checker.figures import usage
from checker.report import Deploys, TeamReport

# /3: a credit team's `credits` count its production deploys too: `spent`, `used_percent`,
# `projected` and `runs_out_at` are of bandwidth and deploys together, `deploys` says what was
# counted, and `at_least` whether `spent` is a lower bound. (/2: a team on a credit plan, or
# whose plan is unknown, claims no bandwidth allowance.)
JSON_SCHEMA = "netlify-bandwidth-checker/3"
RATE = {
    "credits_per_gb": credits.CREDITS_PER_GB,
    "bytes_per_gb": credits.GB,
    "credits_per_production_deploy": credits.CREDITS_PER_DEPLOY,
    "since": credits.RATE_SINCE.isoformat(),
    "source": credits.RATE_SOURCE,
}


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
        "plan_kind": report.plan,
        "error": report.error.message if report.error else None,
        "bandwidth": None,
        "credits": None,
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
    if report.plan != "legacy":
        # No allowance to measure against: Netlify's "included" as given, nothing derived from it.
        unclaimed = ("available", "remaining", "over", "used_percent", "on_course_to_run_over")
        team["bandwidth"].update(dict.fromkeys(unclaimed), included=report.bandwidth.included)
    use = credits.team_credit_use(report, now)
    if use is not None:
        team["credits"] = {
            "included": use.included,
            "spent": round(use.spent, 2),
            "at_least": use.at_least,
            "bandwidth_credits": round(use.bandwidth, 2),
            "deploys": _deploys(use.deploys),
            "used_percent": None if use.share is None else round(use.share * 100, 2),
            "projected": None if use.projected is None else round(use.projected, 2),
            "on_course_to_run_out": use.on_course_to_run_out,
            "runs_out_at": _iso(use.runs_out),
            "rate": RATE,
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


def _deploys(deploys: Deploys | None) -> dict[str, Any] | None:
    """The production deploys counted; `complete` false: a lower bound, and the rest says why."""
    if deploys is None:
        return None
    return {
        "count": deploys.count,
        "credits": credits.deploy_credits(deploys),
        "complete": deploys.complete,
        "sites": [{"name": name, "count": count} for name, count in deploys.by_site],
        "sites_failed": deploys.failed,
        "sites_left_out": deploys.left_out,
        "not_counted": deploys.unknown,
    }
