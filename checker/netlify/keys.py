"""What each request of a check is for, so that its outcome is read as what it answers: the
typed keys checker/netlify/check.py files its requests under."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class TeamList:
    """Every team the token can see (listAccountsForUser)."""


@dataclass(frozen=True)
class Figures:
    """A team's bandwidth (getAccountBandwidth); `team` is its place in the check's list."""

    team: int


@dataclass(frozen=True)
class Details:
    """A team's account object (getAccount), asked for a team named by slug."""

    team: int


@dataclass(frozen=True)
class ForCount:
    """A request of one of a team's counts (checker/netlify/counters.py): `count` its place in
    the check's counts, `key` the counter's own."""

    team: int
    count: int
    key: Hashable


Key = TeamList | Figures | Details | ForCount
