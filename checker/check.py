"""Running a check: the named teams, or every team the token can see, through any `Send`.

The rules live here once, for the page and the command line alike: one team's failure is shown
in its place; a token, rate-limit or network failure ends the check; a 401 for every team the
token has just listed means the token failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from checker import api, inputs
from checker.transport import Send

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


# Netlify's last answer by team slug, so that a check again can say "unchanged". (The page
# sends no If-None-Match of its own, which Netlify's CORS answer might not allow; the browser's
# HTTP cache revalidates with Netlify's ETag by itself.)
Memory = dict[str, bytes]


class TeamRefused(api.Forbidden):
    """A 401 for one team's figures from a token that has just listed the teams."""

    def __init__(self, slug: str, token_message: str) -> None:
        super().__init__(
            f"Netlify refused this token for “{slug}”'s bandwidth (HTTP 401), though the "
            "token works: its role in that team may not include billing."
        )
        self.token_message = token_message


def check(
    token_text: str,
    team_texts: Sequence[str],
    send: Send,
    *,
    now: Clock = utc_now,
    base: str = api.API_BASE,
    memory: Memory | None = None,
) -> list[TeamReport]:
    """Check the named teams, or every team the token can see. Raises CheckError if none can be."""
    token = inputs.clean_token(token_text)
    slugs = list(dict.fromkeys(slug for slug in map(inputs.clean_slug, team_texts) if slug))
    known = {} if memory is None else memory
    if slugs:
        alone = len(slugs) == 1
        reports = [_named(token, slug, send, now, base, known, alone=alone) for slug in slugs]
    else:
        accounts = api.read_accounts(send(api.accounts_request(token, base=base)), now())
        if not accounts:
            raise api.TeamNotFound(
                "This token can see no Netlify team, so there is nothing to check."
            )
        reports = [
            _team(token, account, send, now, base, known, alone=False) for account in accounts
        ]
    refused = [report.error for report in reports if isinstance(report.error, TeamRefused)]
    if refused and len(refused) == len(reports):
        # Every team refused the token it just listed them with: the token is what failed.
        raise api.TokenRejected(refused[0].token_message)
    return reports


def _named(
    token: str,
    slug: str,
    send: Send,
    now: Clock,
    base: str,
    memory: Memory,
    *,
    alone: bool,
) -> TeamReport:
    """A team named by slug: its figures, and Netlify's account object for it (getAccount), which
    says whether the team is on a credit-based plan. Without that object the plan is unknown,
    and the figures still stand."""
    report = _team(
        token, api.Account(slug, slug, None, {}), send, now, base, memory, alone=alone, known=False
    )
    if report.bandwidth is None:
        return report
    try:
        account = api.read_account(send(api.account_request(token, slug, base=base)), slug, now())
    except api.CheckError:
        return report
    return _judged(replace(report, account=account, account_known=True), alone=alone)


def _team(
    token: str,
    account: api.Account,
    send: Send,
    now: Clock,
    base: str,
    memory: Memory,
    *,
    alone: bool,
    known: bool = True,
) -> TeamReport:
    response = send(api.bandwidth_request(token, account.slug, base=base))
    try:
        result = api.read_bandwidth(response, account.slug, now())
    except (api.Forbidden, api.TeamNotFound, api.BadResponse, api.ServerError) as error:
        # In a list of teams, one that fails (a role without billing access, say) is reported
        # in its place and the rest still count; a token, rate or network failure ends it all.
        if alone:
            raise
        return TeamReport(account, None, error)
    except api.TokenRejected as error:
        # The token has just listed this team, so a 401 here is about the team, not the token.
        if alone:
            raise
        return TeamReport(account, None, TeamRefused(account.slug, error.message))
    raw = json.dumps(json.loads(response.body), indent=2)
    unchanged = memory.get(account.slug) == response.body
    memory[account.slug] = response.body
    report = TeamReport(account, result, raw=raw, unchanged=unchanged, account_known=known)
    return _judged(report, alone=alone) if known else report


def _judged(report: TeamReport, *, alone: bool) -> TeamReport:
    """A legacy plan's figures must say what is included; a credit plan's need not."""
    assert report.bandwidth is not None
    if report.plan != "legacy" or report.bandwidth.included is not None:
        return report
    error = api.missing_figure("included")
    if alone:
        raise error
    return replace(report, bandwidth=None, error=error, raw="")
