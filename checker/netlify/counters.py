"""What a check counts beyond a team's figures, behind one small protocol, so that
checker/netlify/check.py can run any count without knowing what it counts.

A count is of something a plan charges for that Netlify lists but does not total: a credit team's
production deploys (checker/netlify/deploys.py) are the first. Each team that a count applies to
gets a `Counter`, which says what to ask Netlify for, reads what comes back, and puts what it has
counted so far into the team's report. The check sends its requests within its cap, and within
the count's budget, which every team's counter of one check shares.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from checker.netlify import api
from checker.netlify.report import Counted, Plan, TeamReport


@dataclass(frozen=True)
class Ask:
    """A request a counter wants sent; `key` is its own, handed back with the outcome."""

    key: Hashable
    request: api.Request


@dataclass
class Budget:
    """The requests a count may still make in one check, across all its teams: a token with
    many teams must not spend Netlify's rate limit on counting alone."""

    left: int

    def take(self) -> bool:
        if self.left == 0:
            return False
        self.left -= 1
        return True


@dataclass(frozen=True)
class Address:
    """What a counter needs to address its requests for one team."""

    slug: str
    token: str = field(repr=False)
    base: str = api.API_BASE


class Counter(Protocol):
    """One team's count, as its answers come. Every method returns the requests to send now."""

    def begin(self) -> list[Ask]:
        """The first requests, sent as soon as the team's plan is known."""
        ...

    def settled(self, report: TeamReport) -> list[Ask]:
        """The team's report is decided: its period is known, or its figures failed."""
        ...

    def read(self, key: Hashable, outcome: api.Outcome, now: datetime) -> list[Ask]:
        """One of its requests' outcomes."""
        ...

    def shown(self) -> Counted:
        """What is counted so far."""
        ...


@dataclass(frozen=True)
class Count:
    """A kind of count: the meter it counts (its key in the cost table, checker/figures/credits.py,
    under which each team's report holds what it counted), the plans whose teams it applies to,
    the requests it may make in one check, and how one team's counter is made."""

    meter: str
    plans: frozenset[Plan]
    budget: int
    counter: Callable[[Address, Budget], Counter]
