"""A team's figures as plain data: the `--json` document, whose schema docs/json-schema.md gives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from checker.figures import credits
from checker.figures.amounts import Usage, iso
from checker.figures.credits import CreditUse
from checker.figures.team import team_model, verdict
from checker.netlify import api
from checker.netlify.report import Period, TeamReport

# /4: what Netlify's account object says of a team (`account`), where the team stands against
# the threshold (`standing`: the share that counts, which count it is worked from, Netlify's
# own word, and `verdict` with --fail-over), and a credit team's two counts (`estimate`,
# `netlify_count`), its billing cycle (`period`) and `deploys_left`; `at_least` is true of
# every estimate. /3: a credit team's `credits` count its production deploys too: `spent`,
# `used_percent`, `projected` and `runs_out_at` are of bandwidth and deploys together, and
# `deploys` says what was counted. (/2: a team on a credit plan, or
# whose plan is unknown, claims no bandwidth allowance.)
JSON_SCHEMA = "netlify-bandwidth-checker/4"


def document(
    reports: list[TeamReport],
    now: datetime,
    *,
    example: bool = False,
    threshold: float | None = None,
) -> dict[str, Any]:
    return {
        "schema": JSON_SCHEMA,
        "checked_at": now.isoformat(),
        "units": "bytes",
        **({"example": True} if example else {}),
        **({} if threshold is None else {"threshold_percent": threshold}),
        "teams": [team_document(report, now, threshold) for report in reports],
    }


def team_document(
    report: TeamReport, now: datetime, threshold: float | None = None
) -> dict[str, Any]:
    """A team's figures: bytes as integers, dates as ISO 8601 with Netlify's offsets."""
    account = report.account
    where = team_model(report, now)
    share = where.share
    team: dict[str, Any] = {
        "slug": account.slug,
        "name": account.name,
        "plan": account.plan,
        "plan_kind": report.plan,
        "error": report.error.message if report.error else None,
        "account": _account(account) if report.account_known else None,
        "standing": {
            # An infinite share (something used of nothing included) is written as null.
            "share_percent": None if share is None or share == float("inf") else _percent(share),
            "counted_by": where.counted_by,
            "netlify_reports_over": where.netlify_over,
            "unknown": where.unknown,
            **({} if threshold is None else {"verdict": verdict(where, threshold)}),
        },
        "bandwidth": None,
        "credits": None,
        "period": None,
        "updated_at": None,
        "quotas": {
            name: {"used": quota.used, "included": quota.included}
            for name, quota in account.quotas.items()
        },
    }
    figures = where.usage
    if report.bandwidth is None or figures is None:
        return team
    team["bandwidth"] = _bandwidth(report, figures)
    if where.credits is not None:
        team["credits"] = _credits(where.credits)
    team["period"] = {
        "start": iso(report.bandwidth.period_start),
        "end": iso(report.bandwidth.period_end),
        "days_left": figures.days_left,
        "elapsed_percent": None if figures.elapsed is None else _percent(figures.elapsed),
    }
    team["updated_at"] = iso(report.bandwidth.updated_at)
    return team


def _bandwidth(report: TeamReport, figures: Usage) -> dict[str, Any]:
    bandwidth = {
        **figures.amounts(),
        "used_percent": None if figures.share is None else _percent(figures.share),
        # Unknown, not "no", while there is no pace to tell it by (no period, or too early).
        "on_course_to_run_over": figures.on_course_to_run_over
        if figures.projected is not None or figures.over > 0
        else None,
    }
    if report.plan != "legacy":
        # No allowance to measure against: Netlify's "included" as given, nothing derived from it.
        unclaimed = ("available", "remaining", "over", "used_percent", "on_course_to_run_over")
        assert report.bandwidth is not None
        bandwidth.update(dict.fromkeys(unclaimed), included=report.bandwidth.included)
    return bandwidth


def _credits(use: CreditUse) -> dict[str, Any]:
    return {
        "included": use.included,
        "spent": round(use.spent, 2),
        "at_least": use.at_least,
        "counted_by": use.counted_by,
        "estimate": round(use.estimate, 2),
        "netlify_count": use.netlify,
        "bandwidth_credits": round(use.bandwidth, 2),
        # Each counted meter under its key, as the cost table names it: "deploys".
        **{counted.meter.key: _counted(counted) for counted in use.counts},
        "deploys_left": use.deploys_left,
        "period": _period(use.period),
        "used_percent": None if use.share is None else _percent(use.share),
        "projected": None if use.projected is None else round(use.projected, 2),
        "on_course_to_run_out": use.on_course_to_run_out
        if use.projected is not None or use.used_up
        else None,
        "runs_out_at": iso(use.runs_out),
        "rate": _rate(),
    }


def _rate() -> dict[str, Any]:
    """Every meter of the cost table, and the figures a script redoes the sum with."""
    return {
        "meters": [
            {
                "key": meter.key,
                "name": meter.name,
                "unit": meter.unit,
                "credits": meter.credits,
                "since": meter.since.isoformat(),
                "source": meter.source,
            }
            for meter in credits.METERS
        ],
        "credits_per_gb": credits.CREDITS_PER_GB,
        "bytes_per_gb": credits.GB,
        "credits_per_production_deploy": credits.PRODUCTION_DEPLOYS.credits,
        "since": credits.BANDWIDTH.since.isoformat(),
        "source": credits.BANDWIDTH.source,
    }


def _percent(share: float) -> float:
    return round(share * 100, 2)


def _period(period: Period) -> dict[str, Any]:
    return {"start": iso(period.start), "end": iso(period.end), "source": period.source}


def _account(account: api.Account) -> dict[str, Any]:
    """The account object's fields as read, under Netlify's names; null where not said."""
    billing = account.billing
    return {
        "lifecycle_state": billing.lifecycle_state,
        "usages_exceeded": _listed(billing.usages_exceeded),
        "sites_with_usage_exceeded": _listed(billing.sites_exceeded),
        "current_billing_period_start": iso(billing.cycle_start),
        "next_billing_period_start": iso(billing.cycle_end),
        "plan_credits": billing.plan_credits,
        "auto_topup_enabled": billing.auto_recharge,
        "plan_auto_topup_amount": billing.recharge_credits,
        "credits_used": account.netlify_credits,
    }


def _listed(names: tuple[str, ...] | None) -> list[str] | None:
    return None if names is None else list(names)


def _counted(use: credits.MeterUse) -> dict[str, Any] | None:
    """A counted meter; `complete` false: a lower bound, and the rest says why."""
    counted = use.counted
    if counted is None:
        return None
    return {
        "count": counted.count,
        "credits": use.credits,
        "complete": counted.complete,
        "sites": [{"name": name, "count": count} for name, count in counted.by_site],
        "sites_failed": counted.failed,
        "sites_left_out": counted.left_out,
        "unreadable": counted.unreadable,
        "not_counted": counted.unknown,
    }
