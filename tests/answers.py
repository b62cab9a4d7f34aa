"""Netlify's answers played in-process: a `Send` that answers by path, for the tests that drive
`Check`, the view and the browser's session without a network."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from checker.netlify import api, samples
from checker.netlify.report import Counted, TeamReport
from tests import fake_netlify
from tests.fake_netlify import TOKEN

NOW = datetime(2024, 3, 10, 16, 0, tzinfo=UTC)
TEAMS = [
    {
        "slug": "acme",
        "name": "Acme Web",
        "type_name": "Pro",
        "capabilities": {"sites": {"used": 12, "included": 500}},
    },
    {"slug": "side", "name": "Side", "type_name": "Starter"},
]
ACME = api.Response(200, json.dumps(TEAMS[0]).encode())


def netlify(
    answers: dict[str, api.Response],
) -> tuple[Callable[[api.Request], api.Response], list[str]]:
    """A `Send` that answers by path (acme's account as listed, unless a test says otherwise),
    and the paths it was asked for, in order."""
    asked: list[str] = []
    answers = {"/accounts/acme": ACME, **answers}

    def send(request: api.Request) -> api.Response:
        path = request.url.removeprefix(api.API_BASE)
        asked.append(path)
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        return answers[path]

    return send, asked


def listed(*extra: tuple[str, api.Response]) -> dict[str, api.Response]:
    return {"/accounts": api.Response(200, json.dumps(TEAMS).encode()), **dict(extra)}


def refused(status: int) -> api.Response:
    return api.Response(status, b'{"code": %d, "message": "Access Denied"}' % status)


def side_refuses(status: int) -> tuple[Callable[[api.Request], api.Response], list[str]]:
    """Both teams listed; acme's figures as recorded, side's refused with `status`."""
    return netlify(
        listed(
            ("/accounts/acme/bandwidth", samples.RECORDED_BANDWIDTH),
            ("/accounts/side/bandwidth", refused(status)),
        )
    )


def many_teams(count: int) -> list[dict[str, object]]:
    return [samples.account(f"team-{n}", f"Team {n}", "Pro") for n in range(count)]


def report(team: dict[str, Any], figures: dict[str, Any], *, known: bool = True) -> TeamReport:
    """A team's report made directly, as a check makes it from Netlify's two answers; `known`
    False: its account object could not be had, so its plan is unknown."""
    slug = team["slug"]
    account = api.read_account(api.Response(200, json.dumps(team).encode()), slug, NOW)
    answer = api.Response(200, json.dumps(figures).encode())
    bandwidth = api.bandwidth_of(api.read_json(answer, NOW, slug=slug))
    return TeamReport(account, bandwidth, account_known=known)


def fake_report(
    slug: str, team: dict[str, Any] | None = None, *, deploys: Counted | None = None, **figures: Any
) -> TeamReport:
    """The fake API's team `slug` (tests/fake_netlify.py), its period around today, with
    `figures` changed, `team` in place of its account object, and a credit team's `deploys`."""
    [listed_team] = [entry for entry in fake_netlify.TEAMS if entry["slug"] == slug]
    answer = fake_netlify.bandwidth_figures(slug)
    assert answer is not None
    counts = {} if deploys is None else {"deploys": deploys}
    return replace(report(team or listed_team, {**answer, **figures}), counts=counts)


def counted(*by_site: tuple[str, int], failed: int = 0, left_out: int = 0) -> Counted:
    """A finished count (of production deploys, say): each site's, most first."""
    return Counted(
        count=sum(count for _, count in by_site),
        by_site=tuple(by_site),
        sites=len(by_site) + failed + left_out,
        counted=len(by_site),
        failed=failed,
        left_out=left_out,
        unreadable=0,
        unknown=None,
        done=True,
    )


# Credits Co's count on the fake API (tests/fake_sites.py): five production deploys, 75 credits.
CREDITS_CO_DEPLOYS = counted(("blog", 3), ("docs", 2))
