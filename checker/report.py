"""What a check finds of each team, and the clock it reads: the types every later step takes in.

A `TeamReport` is made by checker/check.py and read by the card, the `--json` document, the
readings kept over time and the command line; keeping it here keeps them off the state machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from checker import api

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


Plan = Literal["legacy", "credit", "unknown"]


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

    @property
    def plan(self) -> Plan:
        """A bandwidth allowance ("legacy"), credits ("credit"), or not known ("unknown")."""
        if not self.account_known:
            return "unknown"
        return "legacy" if self.account.monthly_credits is None else "credit"
