"""Where a team stands against a threshold, decided once for every output: the share that
counts, which count it comes from, and whether the threshold is reached, not reached, or
unknown.

The card, the `--json` document, the Markdown table, `--fail-over` and the alert issue all read
`standing()` and `verdict()`: none of them decides again. The rule they keep is that what the
checker cannot see is never taken as fine: a team that could not be checked, a team whose plan
and allowance are unknown, and a count cut short that is still under the threshold are all
"unknown", never "not reached"; and a team Netlify itself reports over has reached any threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from checker.figures.amounts import usage
from checker.figures.credits import CountedBy, team_credit_use
from checker.netlify.report import TeamReport

Verdict = Literal["reached", "not reached", "unknown"]


@dataclass(frozen=True)
class Standing:
    # The share that counts: of the allowance, or of the month's credits. Infinite when
    # something was used of nothing included; None when there is nothing to work it from.
    share: float | None
    # What the share is worked from: the allowance, the checker's estimate of the credits
    # spent, or Netlify's own count of them; None without a share.
    counted_by: Literal["allowance"] | CountedBy | None
    # Netlify's account object says the team is over: not active, or usages or sites exceeded.
    netlify_over: bool
    # Why the share cannot settle "not reached", if it cannot: the team could not be checked,
    # its plan and allowance are unknown, or its count is a lower bound cut short.
    unknown: str | None


def standing(report: TeamReport, now: datetime) -> Standing:
    netlify_over = report.account_known and report.account.billing.over
    if report.bandwidth is None:
        message = report.error.message if report.error else "it could not be checked"
        return Standing(None, None, netlify_over, f"it could not be checked: {message}")
    use = team_credit_use(report, now)
    if use is not None:
        return Standing(_share(use.share, use.spent), use.counted_by, netlify_over, use.incomplete)
    figures = usage(report.bandwidth, now)
    if report.plan == "unknown" and figures.available == 0:
        why = "Netlify did not say which plan it is on, and its answer gives no allowance"
        return Standing(None, None, netlify_over, why)
    # An allowance /bandwidth gives is measured against even when the plan is unknown.
    return Standing(_share(figures.share, figures.used), "allowance", netlify_over, None)


def verdict(where: Standing, threshold: float) -> Verdict:
    """Whether a team has reached `threshold`, a percentage."""
    if where.netlify_over or (where.share is not None and where.share >= threshold / 100):
        return "reached"
    return "unknown" if where.unknown is not None else "not reached"


def _share(share: float | None, used: float) -> float:
    """Nothing included and something used counts as all of it."""
    if share is None:
        return float("inf") if used > 0 else 0.0
    return share
