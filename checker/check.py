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

from checker import api
from checker.transport import Send

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TeamReport:
    account: api.Account
    # Exactly one of bandwidth or error is set: one team's failure does not hide the others.
    bandwidth: api.Bandwidth | None
    error: api.CheckError | None = None
    raw: str = ""
    # Netlify's answer is the one it gave last time: it has no newer figure yet.
    unchanged: bool = False


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
    token = api.clean_token(token_text)
    slugs = [slug for slug in map(api.clean_slug, team_texts) if slug is not None]
    if slugs:
        accounts = [api.Account(slug, slug, None, {}) for slug in dict.fromkeys(slugs)]
    else:
        accounts = api.read_accounts(send(api.accounts_request(token, base=base)), now())
        if not accounts:
            raise api.TeamNotFound(
                "This token can see no Netlify team, so there is nothing to check."
            )
    alone = len(accounts) == 1 and bool(slugs)
    known = {} if memory is None else memory
    reports = [_team(token, account, send, now, base, known, alone=alone) for account in accounts]
    refused = [report.error for report in reports if isinstance(report.error, TeamRefused)]
    if refused and len(refused) == len(reports):
        # Every team refused the token it just listed them with: the token is what failed.
        raise api.TokenRejected(refused[0].token_message)
    return reports


def with_details(
    reports: list[TeamReport],
    token_text: str,
    send: Send,
    *,
    now: Clock = utc_now,
    base: str = api.API_BASE,
) -> list[TeamReport]:
    """The reports of teams named by slug, with the name, plan and quotas Netlify keeps.

    Asked for after the figures, which need not wait for them; a team whose details cannot be
    had keeps its slug for a name, and its figures stand either way.
    """
    token = api.clean_token(token_text)
    detailed = []
    for report in reports:
        try:
            request = api.account_request(token, report.account.slug, base=base)
            account = api.read_account(send(request), report.account.slug, now())
        except api.CheckError:
            account = report.account
        detailed.append(replace(report, account=account))
    return detailed


def _team(
    token: str,
    account: api.Account,
    send: Send,
    now: Clock,
    base: str,
    memory: Memory,
    *,
    alone: bool,
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
    return TeamReport(account, result, raw=raw, unchanged=unchanged)
