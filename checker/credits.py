"""What bandwidth costs a team on Netlify's credit-based plans, and when it would use them up.

Teams created since 4 September 2025 (and teams that switched) have no bandwidth allowance: a
month's credits pay for bandwidth, deploys, compute and web requests alike, and a Free team's
sites are paused when the credits run out. Netlify's API reports no credit use (its
`capabilities.credits.used` reads 0), but it does report the bandwidth, which is usually what
such a team spends most on; this module turns that into credits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from checker.api import Bandwidth
from checker.figures import pace
from checker.report import TeamReport

# Netlify's rate for bandwidth on credit-based plans, from its pricing page and changelog: 20
# credits per GB since 14 April 2026 (10 before). Netlify does not say whether a GB is 10^9
# bytes or 2^30; it is taken as 10^9, as "GB" means in its pricing, which counts the smaller
# figure (a GiB would make every figure here 7 % higher).
CREDITS_PER_GB = 20
GB = 10**9
RATE_SINCE = date(2026, 4, 14)
RATE_SOURCE = "https://www.netlify.com/pricing/"
BILLING_PAGE = "https://app.netlify.com/teams/{slug}/billing/general"


@dataclass(frozen=True)
class CreditUse:
    """Bandwidth in credits, at one moment of the billing period."""

    included: int  # the month's credits
    spent: float  # credits bandwidth has cost so far
    # spent / included; None when the month has no credits to divide by.
    share: float | None
    # What bandwidth alone will have cost by the period's end at this pace; None too early on.
    projected: float | None
    # When bandwidth alone would use the last credit, if that comes before the period ends.
    runs_out: datetime | None

    @property
    def used_up(self) -> bool:
        return self.spent >= self.included

    @property
    def on_course_to_run_out(self) -> bool:
        return self.used_up or self.runs_out is not None


def team_credit_use(report: TeamReport, now: datetime) -> CreditUse | None:
    """What a checked team's bandwidth has cost in credits; None but on a credit plan."""
    monthly = report.account.monthly_credits
    if report.plan != "credit" or report.bandwidth is None or monthly is None:
        return None
    return credit_use(report.bandwidth, monthly, now)


def credits_text(amount: float) -> str:
    return "under 1" if 0 < amount < 0.5 else f"{round(amount):,}"


def credits_for(used_bytes: int) -> float:
    return used_bytes / GB * CREDITS_PER_GB


def credit_use(bandwidth: Bandwidth, included: int, now: datetime) -> CreditUse:
    spent = credits_for(bandwidth.used)
    course = pace(spent, included, bandwidth.period_start, bandwidth.period_end, now)
    return CreditUse(
        included=included,
        spent=spent,
        share=course.share,
        projected=course.projected,
        runs_out=course.crossing,
    )
