"""What a team on Netlify's credit-based plans has spent of its month's credits, as far as the
API lets it be seen, and when, at this pace, they would run out.

Teams created since 4 September 2025 (and teams that switched) have no bandwidth allowance: a
month's credits pay for bandwidth, production deploys, compute, web requests and AI inference
alike, and a Free team's sites are paused when the credits run out. Netlify's API reports no
credit use (its `capabilities.credits.used` reads 0), but it does report the bandwidth and, site
by site, the deploys (checker/netlify/deploys.py): this module turns both into credits, at the
rates of its cost table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from checker.figures.amounts import date_text, pace
from checker.netlify.api import Bandwidth, Billing
from checker.netlify.report import Counted, Period, TeamReport, bandwidth_period


@dataclass(frozen=True)
class Meter:
    """One thing a credit-based plan charges for that the API lets the checker count."""

    key: str  # its name in the JSON document, in a reading kept over time, and in a report's counts
    name: str  # as a card's row names it
    unit: str  # one of it
    units: str  # more than one
    credits: int  # credits for each unit
    since: date  # when Netlify's rate took effect
    source: str  # where Netlify says so

    def rate(self) -> str:
        return f"{self.credits} credits per {self.unit} since {date_text(self.since)}"

    def noun(self, count: int) -> str:
        """Its unit, singular or plural for `count` of it."""
        return self.unit if abs(count) == 1 else self.units

    def cost(self, count: int) -> int:
        """What `count` of it costs in credits."""
        return count * self.credits

    def amount(self, count: int, sign: str = "") -> str:
        """A count of it in words: "1 production deploy", or with `sign` "+", "+3 ..."."""
        return f"{count:{sign},} {self.noun(count)}"


# The cost table: every meter the checker counts, at Netlify's rate. Bandwidth comes with the
# team's figures; every meter after it is counted item by item, by the count of the check whose
# `meter` is its key (checker/netlify/check.py's COUNTS), and every output shows it from here.
# Adding one (form submissions, if the API ever reports them) is one entry here and its count.
# Bandwidth: 20 credits per GB since 14 April 2026 (10 before), from Netlify's pricing page and
# changelog. Netlify does not say whether a GB is 10^9 bytes or 2^30; it is taken as 10^9, as
# "GB" means in its pricing. That counts the larger figure, so it errs towards warning early:
# bytes / 10^9 is 1.074 x bytes / 2^30.
BANDWIDTH = Meter(
    "bandwidth", "Bandwidth", "GB", "GB", 20, date(2026, 4, 14), "https://www.netlify.com/pricing/"
)
# Each successful production deploy, from Netlify's "How credits work" page, since credit-based
# plans began; previews, branch deploys, failed deploys and rollbacks cost nothing.
PRODUCTION_DEPLOYS = Meter(
    "deploys",
    "Production deploys",
    "production deploy",
    "production deploys",
    15,
    date(2025, 9, 4),
    "https://www.netlify.com/pricing/",
)
METERS = (BANDWIDTH, PRODUCTION_DEPLOYS)
COUNTED = METERS[1:]
CREDITS_PER_GB = BANDWIDTH.credits
GB = 10**9
BILLING_PAGE = "https://app.netlify.com/teams/{slug}/billing/general"


@dataclass(frozen=True)
class MeterUse:
    """What one counted meter has cost: None counted when its count could not be made."""

    meter: Meter
    counted: Counted | None

    @property
    def credits(self) -> int:
        return self.meter.cost(0 if self.counted is None else self.counted.count)

    @property
    def incomplete(self) -> str | None:
        """Why its count may be short of the truth, if it may."""
        counted, units = self.counted, self.meter.units
        if counted is None:
            return f"its {units} were not counted"
        if counted.unknown is not None:
            return f"its {units} could not be counted: {counted.unknown}"
        if counted.failed:
            return f"the {units} of {counted.failed} of its sites could not be read"
        if counted.left_out:
            return "the check's budget of requests ran out before every site was counted"
        if counted.unreadable:
            return f"{counted.unreadable} of its {units} could not be read"
        if not counted.done:
            return f"its {units} are still being counted"
        return None


# Which count of the credits spent a team's share is worked from: the checker's own estimate
# (bandwidth and each meter it counts), or Netlify's count across every meter, whichever is higher.
CountedBy = Literal["estimate", "netlify"]


@dataclass(frozen=True)
class CreditUse:
    """Credits spent, as far as the API shows them, at one moment of the billing period."""

    included: int  # the month's credits
    bandwidth: float  # credits bandwidth has cost so far
    counts: tuple[MeterUse, ...]  # every other meter of the cost table, as counted
    # Bandwidth and the counted meters together: the checker's own estimate, a lower bound.
    estimate: float
    # Netlify's own count across every meter, when it gives one above 0 (it can lag).
    netlify: int | None
    # The period the credits are spent over: the billing cycle, or /bandwidth's period.
    period: Period
    # spent / included; None when the month has no credits to divide by.
    share: float | None
    # What they will have cost by the period's end at this pace; None too early on.
    projected: float | None
    # When they would use the last credit, if that comes before the period ends.
    runs_out: datetime | None

    @property
    def counted_by(self) -> CountedBy:
        return (
            "netlify" if self.netlify is not None and self.netlify >= self.estimate else "estimate"
        )

    @property
    def spent(self) -> float:
        """The higher of the two counts: the one the headline, the pace and the alert read."""
        return _higher(self.estimate, self.netlify)

    @property
    def at_least(self) -> bool:
        """Whether `spent` is a lower bound: the checker's estimate always is, since Netlify
        also bills deploys its lists no longer show, and meters the API does not report."""
        return self.counted_by == "estimate"

    @property
    def incomplete(self) -> str | None:
        """Why the share may be well short of the truth, if it may: a meter not all counted.
        None when the count is complete as far as the API shows. This holds whichever count
        drives the share: Netlify's lags (and has read 0 when it was wrong), so it is a lower
        bound as well, and a count cut short under it still leaves the truth unseen."""
        return next(filter(None, (use.incomplete for use in self.counts)), None)

    @property
    def used_up(self) -> bool:
        return self.spent >= self.included

    @property
    def on_course_to_run_out(self) -> bool:
        return self.used_up or self.runs_out is not None

    @property
    def deploys_left(self) -> int:
        """How many more production deploys the credits left would pay for, at today's total:
        what a deploy gate asks (the Action's `deploys-left`)."""
        return max(0, math.floor((self.included - self.spent) / PRODUCTION_DEPLOYS.credits))


def team_credit_use(report: TeamReport, now: datetime) -> CreditUse | None:
    """What a checked team has spent of its credits; None but on a credit plan."""
    monthly = report.account.monthly_credits
    if report.plan != "credit" or report.bandwidth is None or monthly is None:
        return None
    return credit_use(
        report.bandwidth,
        monthly,
        now,
        report.counts,
        netlify=report.account.netlify_credits,
        period=report.period,
    )


def when_spent(plan: str | None, billing: Billing) -> str:
    """What happens when the credits are spent: Free has a hard limit, and other plans pause
    unless auto recharge is on, which Netlify's account object may say. The plan's name says
    which plan; whether the team is on credits at all was decided by what Netlify counts."""
    if (plan or "").strip().lower() == "free":
        return (
            "On the Free plan, every site of the team is paused when the credits are spent: "
            "Free cannot recharge."
        )
    if billing.auto_recharge:
        amount = billing.recharge_credits
        more = f"{amount:,} more credits" if amount else "more credits"
        return (
            f"Auto recharge is on: when they are spent, Netlify buys {more} and charges the "
            "card on file; the sites stay up."
        )
    if billing.auto_recharge is False:
        return (
            "Auto recharge is off: when they are spent, Netlify pauses every site of the team "
            "until more credits are bought."
        )
    return (
        "When they are spent, Netlify pauses every site of the team, unless more credits are "
        "bought or auto recharge is on."
    )


def credits_text(amount: float) -> str:
    return "under 1" if 0 < amount < 0.5 else f"{round(amount):,}"


def credits_for(used_bytes: int) -> float:
    return used_bytes / GB * CREDITS_PER_GB


def credit_use(
    bandwidth: Bandwidth,
    included: int,
    now: datetime,
    counts: Mapping[str, Counted] | None = None,
    *,
    netlify: int | None = None,
    period: Period | None = None,
) -> CreditUse:
    period = period or bandwidth_period(bandwidth)
    spent_on_bandwidth = credits_for(bandwidth.used)
    uses = tuple(MeterUse(meter, (counts or {}).get(meter.key)) for meter in COUNTED)
    estimate = spent_on_bandwidth + sum(use.credits for use in uses)
    spent = _higher(estimate, netlify)
    # Each meter so far at its own pace: all grow with the period, so the total's pace is the
    # sum of theirs.
    course = pace(spent, included, period.start, period.end, now)
    return CreditUse(
        included=included,
        bandwidth=spent_on_bandwidth,
        counts=uses,
        estimate=estimate,
        netlify=netlify,
        period=period,
        share=course.share,
        projected=course.projected,
        runs_out=course.crossing,
    )


def _higher(estimate: float, netlify: int | None) -> float:
    """The count that drives a credit team's share: the estimate, or Netlify's if higher."""
    return max(estimate, netlify or 0)
