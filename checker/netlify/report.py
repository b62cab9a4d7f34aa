"""What a check finds of each team, and the clock it reads: the types every later step takes in.

A `TeamReport` is made by checker/netlify/check.py and read by the card, the `--json` document, the
readings kept over time and the command line; keeping it here keeps them off the state machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from checker.netlify import api

# The kind of plan a team is on, which decides its card: "legacy" (a bandwidth allowance),
# "credit" (a month's credits) or "unknown" (Netlify did not say).
Plan = Literal["legacy", "credit", "unknown"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Counted:
    """What one count of a team (checker/netlify/counters.py) has counted so far in its period,
    site by site: a credit team's production deploys are the first."""

    count: int
    # The sites that counted any, most first: (name, how many).
    by_site: tuple[tuple[str, int], ...]
    # The team's sites, once all of them are listed; None until then, or if the list failed.
    sites: int | None
    # Sites whose deploys are all counted.
    counted: int
    # Sites whose deploy list could not be read, and sites left out when the budget ran out.
    failed: int
    left_out: int
    # Items without a readable id or creation time: not counted, and said.
    unreadable: int
    # Why nothing could be counted at all, if so: the site list failed, or there is no period.
    unknown: str | None
    # No request of this count is still to come.
    done: bool

    @property
    def complete(self) -> bool:
        """Every site counted: the count is the team's whole count, not a lower bound."""
        return (
            self.done
            and self.unknown is None
            and not (self.failed or self.left_out or self.unreadable)
        )


@dataclass(frozen=True)
class Period:
    """The period a team's figures are measured over, and where it comes from: Netlify's credit
    billing cycle from the account object ("cycle"), or the period `/bandwidth` gives."""

    start: datetime | None
    end: datetime | None
    source: Literal["cycle", "bandwidth"]


@dataclass(frozen=True)
class TeamReport:
    account: api.Account
    # Exactly one of bandwidth or error is set: one team's failure does not hide the others.
    bandwidth: api.Bandwidth | None
    error: api.CheckError | None = None
    raw: str = ""
    # Netlify's answer is the one it gave last time: it has no newer figure yet.
    unchanged: bool = False
    # Whether Netlify's account object for the team was had: without it, the plan is unknown.
    account_known: bool = True
    # What each of the team's counts has counted so far, under its meter's key in the cost table
    # (checker/figures/credits.py): a credit team's production deploys, under "deploys".
    counts: Mapping[str, Counted] = field(default_factory=dict)

    @property
    def plan(self) -> Plan:
        """A bandwidth allowance ("legacy"), credits ("credit"), or not known ("unknown")."""
        return plan_of(self.account, known=self.account_known)

    @property
    def period(self) -> Period:
        """A credit team's credits are spent over its billing cycle, when Netlify gives one; else,
        and for every other team, over the period of its bandwidth answer."""
        cycle = self.account.billing.cycle
        if self.plan == "credit" and cycle is not None:
            return Period(*cycle, "cycle")
        return bandwidth_period(self.bandwidth)


def plan_of(account: api.Account, *, known: bool = True) -> Plan:
    """A team's plan, decided here alone: by what Netlify counts (`monthly_credits`), once its
    account object is `known` (a listed team's is: the list gives it)."""
    if not known:
        return "unknown"
    return "legacy" if account.monthly_credits is None else "credit"


def bandwidth_period(bandwidth: api.Bandwidth | None) -> Period:
    """The period a bandwidth answer gives (none without an answer)."""
    if bandwidth is None:
        return Period(None, None, "bandwidth")
    return Period(bandwidth.period_start, bandwidth.period_end, "bandwidth")
