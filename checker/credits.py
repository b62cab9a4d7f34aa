"""What a team on Netlify's credit-based plans has spent of its month's credits, as far as the
API lets it be seen, and when, at this pace, they would run out.

Teams created since 4 September 2025 (and teams that switched) have no bandwidth allowance: a
month's credits pay for bandwidth, production deploys, compute, web requests and AI inference
alike, and a Free team's sites are paused when the credits run out. Netlify's API reports no
credit use (its `capabilities.credits.used` reads 0), but it does report the bandwidth and, site
by site, the deploys (checker/deploys.py): this module turns both into credits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from checker.api import Bandwidth
from checker.figures import pace
from checker.report import Deploys, TeamReport

# Netlify's rate for bandwidth on credit-based plans, from its pricing page and changelog: 20
# credits per GB since 14 April 2026 (10 before). Netlify does not say whether a GB is 10^9
# bytes or 2^30; it is taken as 10^9, as "GB" means in its pricing, which counts the smaller
# figure (a GiB would make every figure here 7 % higher).
CREDITS_PER_GB = 20
GB = 10**9
# Each successful production deploy, from Netlify's "How credits work" page; previews, branch
# deploys, failed deploys and rollbacks cost nothing.
CREDITS_PER_DEPLOY = 15
RATE_SINCE = date(2026, 4, 14)
RATE_SOURCE = "https://www.netlify.com/pricing/"
BILLING_PAGE = "https://app.netlify.com/teams/{slug}/billing/general"


@dataclass(frozen=True)
class CreditUse:
    """Credits spent, as far as the API shows them, at one moment of the billing period."""

    included: int  # the month's credits
    bandwidth: float  # credits bandwidth has cost so far
    deploys: Deploys | None  # the production deploys counted, if the team's could be
    spent: float  # bandwidth and production deploys together
    # spent / included; None when the month has no credits to divide by.
    share: float | None
    # What they will have cost by the period's end, each at its own pace; None too early on.
    projected: float | None
    # When they would use the last credit, if that comes before the period ends.
    runs_out: datetime | None

    @property
    def at_least(self) -> bool:
        """Whether `spent` is a lower bound: deploys left uncounted, or still being counted."""
        return self.deploys is None or not self.deploys.complete

    @property
    def used_up(self) -> bool:
        return self.spent >= self.included

    @property
    def on_course_to_run_out(self) -> bool:
        return self.used_up or self.runs_out is not None


def team_credit_use(report: TeamReport, now: datetime) -> CreditUse | None:
    """What a checked team has spent of its credits; None but on a credit plan."""
    monthly = report.account.monthly_credits
    if report.plan != "credit" or report.bandwidth is None or monthly is None:
        return None
    return credit_use(report.bandwidth, monthly, now, report.deploys)


def deploy_credits(deploys: Deploys | int | None) -> int:
    """What production deploys cost: a count of them, or the deploys counted of a team."""
    count = deploys.count if isinstance(deploys, Deploys) else deploys or 0
    return count * CREDITS_PER_DEPLOY


def when_spent(plan: str | None) -> str:
    """What happens when the credits are spent, which depends on the plan: Free has a hard
    limit. The plan's name says which; whether the team is on credits at all was decided by what
    Netlify counts, never by a name."""
    if (plan or "").strip().lower() == "free":
        return "On the Free plan, every site of the team is paused when the credits are spent."
    return (
        "When they are spent, Netlify pauses every site of the team, unless more credits are "
        "bought or auto recharge is on."
    )


def credits_text(amount: float) -> str:
    return "under 1" if 0 < amount < 0.5 else f"{round(amount):,}"


def credits_for(used_bytes: int) -> float:
    return used_bytes / GB * CREDITS_PER_GB


def credit_use(
    bandwidth: Bandwidth, included: int, now: datetime, deploys: Deploys | None = None
) -> CreditUse:
    spent_on_bandwidth = credits_for(bandwidth.used)
    spent = spent_on_bandwidth + deploy_credits(deploys)
    # Deploys so far at their own pace plus bandwidth at its own: both grow with the period, so
    # the total's pace is the sum of theirs.
    course = pace(spent, included, bandwidth.period_start, bandwidth.period_end, now)
    return CreditUse(
        included=included,
        bandwidth=spent_on_bandwidth,
        deploys=deploys,
        spent=spent,
        share=course.share,
        projected=course.projected,
        runs_out=course.crossing,
    )
