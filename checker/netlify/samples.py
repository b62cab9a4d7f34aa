"""Answers made here, never asked of Netlify: the recorded answer, and the example teams.

The recorded answer is Netlify's own (docs/netlify-api.md): the warm-up reads it, and tests
compare against it. The example shows a reader without a token what a check looks like, read by
the same code as real answers.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from checker.netlify import api
from checker.netlify.check import Check
from checker.netlify.drive import InTurn, drive
from checker.netlify.report import TeamReport

# Netlify's answer as recorded: 25.3 GiB of 100 GiB.
RECORDED_USED = 27167800363
RECORDED_INCLUDED = 107374182400
RECORDED_BANDWIDTH = api.Response(
    200,
    (
        f'{{"used": {RECORDED_USED}, "included": {RECORDED_INCLUDED}, "additional": 0,'
        ' "last_updated_at": "2024-03-10T15:15:03.237+00:00",'
        ' "period_start_date": "2024-02-17T00:00:00.000-08:00",'
        ' "period_end_date": "2024-03-17T00:00:00.000-07:00"}'
    ).encode(),
)


def account(slug: str, name: str, plan: str, **quotas: tuple[int, int]) -> dict[str, object]:
    """A team as Netlify's team list and getAccount give it; each quota as (used, included)."""
    capabilities = {
        key: {"used": used, "included": included} for key, (used, included) in quotas.items()
    }
    return {"slug": slug, "name": name, "type_name": plan, "capabilities": capabilities}


# The account object of a team named by slug (getAccount), as the warm-up answers it.
RECORDED_ACCOUNT = account("warm-up", "Acme Web", "Pro", sites=(12, 500))

EXAMPLE_TEAMS: list[dict[str, object]] = [
    account(
        "example-studio", "Example Studio", "Pro", sites=(23, 500), build_minutes=(6120, 25000)
    ),
    account("example-side-projects", "Example Side Projects", "Starter", sites=(4, 500)),
    # A credit plan: Netlify counts its credits, and reads 0 for their use whatever it is.
    account("example-new-team", "Example New Team", "Free", sites=(2, 500), credits=(0, 300)),
    # A credit team Netlify's account object reports over: a usage exceeded, a site listed.
    {
        **account("example-paused", "Example Paused Shop", "Free", credits=(0, 300)),
        "usages_exceeded": ["bandwidth"],
        "sites_with_usage_exceeded": ["example-shop"],
    },
    # A Pro credit team whose billing cycle began 12 days ago, 9 days before the period of its
    # bandwidth answer; Netlify's own count (1,850) is above the checker's estimate, and auto
    # recharge is on.
    {
        **account("example-agency", "Example Agency", "Pro", credits=(1850, 3000)),
        "plan_credits": 3000,
        "lifecycle_state": "active",
        "usages_exceeded": [],
        "sites_with_usage_exceeded": [],
        "auto_topup_enabled": True,
        "plan_auto_topup_amount": 500,
    },
]
# Used bytes of each example team: one well inside its 100 GiB, one over it, a credit team
# whose bandwidth (230 credits) and three production deploys (45) are on course to use its 300
# credits before the period ends, the paused team's, and the agency's 5 GB (100 credits).
EXAMPLE_USED = {
    "example-studio": 41 * 2**30 + 3 * 2**28,
    "example-side-projects": 112 * 2**30,
    "example-new-team": 11_500_000_000,
    "example-paused": 14_200_000_000,
    "example-agency": 5_000_000_000,
}
# What Netlify's /bandwidth puts in "included": an allowance, or nothing on a credit plan.
EXAMPLE_INCLUDED = {"example-new-team": 0, "example-paused": 0, "example-agency": 0}
# Each credit team's sites, and how many days ago each of their production deploys was made.
EXAMPLE_SITES = {
    "example-new-team": {"example-blog": [2, 9], "example-docs": [5]},
    "example-paused": {"example-shop": [1, 4, 6]},
    "example-agency": {"example-client": [1, 5, 7, 11]},
}
# Days from today to the start and end of each team's bandwidth period, and of a billing cycle
# its account object gives.
EXAMPLE_PERIOD = (-19, 11)
EXAMPLE_BANDWIDTH_PERIOD = {"example-agency": (-3, 27)}
EXAMPLE_CYCLE = {"example-agency": (-12, 18)}


def site(site_id: str, name: str) -> dict[str, object]:
    """A site as Netlify's site list gives it (listSitesForAccount)."""
    return {"id": site_id, "name": name, "created_at": "2024-01-02T10:00:00.000Z"}


def deploy(
    created_at: datetime, context: str = "production", state: str = "ready"
) -> dict[str, str]:
    """A deploy as Netlify's deploy list gives it (listSiteDeploys), its id made from its time."""
    return {
        "id": f"d{created_at.timestamp():.6f}-{context}-{state}",
        "context": context,
        "state": state,
        "created_at": created_at.isoformat(),
    }


def example_reports(now: datetime) -> list[TeamReport]:
    """Three made-up teams, read by the same code as real answers, from answers made here."""
    pacific = timezone(timedelta(hours=-8))
    midnight = now.astimezone(pacific).replace(hour=0, minute=0, second=0, microsecond=0)

    def day(days: int) -> str:
        return (midnight + timedelta(days=days)).isoformat()

    def dated(team: dict[str, object]) -> dict[str, object]:
        cycle = EXAMPLE_CYCLE.get(str(team["slug"]))
        if cycle is None:
            return team
        start, end = cycle
        return {
            **team,
            "current_billing_period_start": day(start),
            "next_billing_period_start": day(end),
        }

    sites = {site_id: days for team in EXAMPLE_SITES.values() for site_id, days in team.items()}

    def answer(request: api.Request) -> api.Response:
        path = request.url.partition("?")[0]
        if path.endswith("/accounts"):
            return api.Response(200, json.dumps(list(map(dated, EXAMPLE_TEAMS))).encode())
        if path.endswith("/sites"):
            listed = [site(name, name) for name in EXAMPLE_SITES[path.split("/")[-2]]]
            return api.Response(200, json.dumps(listed).encode())
        if path.endswith("/deploys"):
            made = [deploy(now - timedelta(days=ago)) for ago in sites[path.split("/")[-2]]]
            return api.Response(200, json.dumps(made).encode())
        slug = path.split("/")[-2]
        start, end = EXAMPLE_BANDWIDTH_PERIOD.get(slug, EXAMPLE_PERIOD)
        figures = {
            "used": EXAMPLE_USED[slug],
            "included": EXAMPLE_INCLUDED.get(slug, 100 * 2**30),
            "additional": 0,
            "last_updated_at": (now - timedelta(minutes=14)).isoformat(),
            "period_start_date": day(start),
            "period_end_date": day(end),
        }
        return api.Response(200, json.dumps(figures).encode())

    # The answers come from `answer` above: nothing is sent anywhere, so no token is needed.
    return drive(Check("nfp_example", [], now=lambda: now), InTurn(answer))
