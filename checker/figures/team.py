"""One model of a team, decided once from its report and the clock: which kind of plan it is on
(or that it failed), its figures, the share that counts and what it is worked from, Netlify's
own word, whether it is on course to run over or out and when, and against a threshold whether
it is reached, not reached, or unknown.

The card, the `--json` document, the Markdown table, the text output, `--fail-over`, the alert
issue, notifications and the action's outputs all read `team_model()` and `verdict()`: none of them
decides any of this again. The rule they keep is that what the checker cannot see is never
taken as fine: a team that could not be checked, a team whose plan and allowance are unknown,
and a count cut short that is still under the threshold are "unknown", never "not reached";
and a team Netlify itself reports over has reached any threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from checker.figures.amounts import Usage, pace, usage
from checker.figures.credits import CountedBy, CreditUse, team_credit_use
from checker.netlify.report import TeamReport, bandwidth_period

Kind = Literal["legacy", "credit", "unknown", "failed"]
Verdict = Literal["reached", "not reached", "unknown"]
Standing = Literal["reached", "unknown", "clear"]


@dataclass(frozen=True)
class Team:
    report: TeamReport
    # "legacy" (a bandwidth allowance), "credit" (a month's credits), "unknown" (Netlify did not
    # say), or "failed" (its figures could not be had).
    kind: Kind
    usage: Usage | None  # its bandwidth, in bytes; None when it failed
    credits: CreditUse | None  # a credit team's credits
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
    # When, at this pace, the share reaches all of it, if that comes before the period ends.
    runs_out: datetime | None

    @property
    def over(self) -> bool:
        """Over a bandwidth allowance already (a credit team has none to be over, and a team whose
        plan and allowance are unknown has none that is known)."""
        return self.counted_by == "allowance" and self.usage is not None and self.usage.over > 0

    @property
    def on_course(self) -> bool:
        """Over already, or on course to be by the period's end."""
        if self.credits is not None:
            return self.credits.on_course_to_run_out
        return self.usage is not None and (self.over or self.usage.on_course_to_run_over)


def team_model(report: TeamReport, now: datetime) -> Team:
    netlify_over = report.account_known and report.account.billing.over
    bandwidth = report.bandwidth
    if bandwidth is None:
        message = report.error.message if report.error else "it could not be checked"
        why = f"it could not be checked: {message}"
        return Team(report, "failed", None, None, None, None, netlify_over, why, None)
    figures = usage(bandwidth, now)
    use = team_credit_use(report, now)
    if use is not None:
        share = _share(use.share, use.spent)
        return Team(
            report, "credit", figures, use, share, use.counted_by, netlify_over,
            use.incomplete, use.runs_out,
        )  # fmt: skip
    if report.plan == "unknown" and figures.available == 0:
        why = "Netlify did not say which plan it is on, and its answer gives no allowance"
        return Team(report, "unknown", figures, None, None, None, netlify_over, why, None)
    # An allowance /bandwidth gives is measured against even when the plan is unknown.
    period = bandwidth_period(bandwidth)
    crossing = pace(figures.used, figures.available, period.start, period.end, now).crossing
    share = _share(figures.share, figures.used)
    return Team(
        report, report.plan, figures, None, share, "allowance", netlify_over, None, crossing
    )


def verdict(model: Team, threshold: float) -> Verdict:
    """Whether a team has reached `threshold`, a percentage."""
    if model.netlify_over or (model.share is not None and model.share >= threshold / 100):
        return "reached"
    return "unknown" if model.unknown is not None else "not reached"


def standing(verdicts: Iterable[Verdict]) -> Standing:
    """Where a run's teams stand together: "reached" if any reached, else "unknown" if any
    cannot be judged, else "clear". The exit code, the alert issue and the outputs read it."""
    said = set(verdicts)
    return "reached" if "reached" in said else "unknown" if "unknown" in said else "clear"


def _share(share: float | None, used: float) -> float:
    """Nothing included and something used counts as all of it."""
    if share is None:
        return float("inf") if used > 0 else 0.0
    return share
