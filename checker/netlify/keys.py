"""What each request of a check is for, so that its outcome is read as what it answers: the
typed keys checker/netlify/check.py files its requests under."""

from __future__ import annotations

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
class SiteList:
    """A page of a credit team's sites (listSitesForAccount), to count its deploys."""

    team: int
    page: int


@dataclass(frozen=True)
class SiteDeploys:
    """A page of one site's production deploys (listSiteDeploys); `site` as the counter numbers
    the team's sites."""

    team: int
    site: int
    page: int


Key = TeamList | Figures | Details | SiteList | SiteDeploys
