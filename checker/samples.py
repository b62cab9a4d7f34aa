"""Answers made here, never asked of Netlify: the recorded answer, and the example teams.

The recorded answer is Netlify's own (docs/netlify-api.md): the warm-up reads it, and tests
compare against it. The example shows a reader without a token what a check looks like, read by
the same code as real answers.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from checker import api
from checker.api import Send
from checker.check import Check
from checker.report import TeamReport

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

EXAMPLE_TEAMS = [
    account(
        "example-studio", "Example Studio", "Pro", sites=(23, 500), build_minutes=(6120, 25000)
    ),
    account("example-side-projects", "Example Side Projects", "Starter", sites=(4, 500)),
    # A credit plan: Netlify counts its credits, and reads 0 for their use whatever it is.
    account("example-new-team", "Example New Team", "Free", sites=(2, 500), credits=(0, 300)),
]
# Used bytes of each example team: one well inside its 100 GiB, one over it, and a credit team
# whose bandwidth (230 credits) and three production deploys (45) are on course to use its 300
# credits before the period ends.
EXAMPLE_USED = {
    "example-studio": 41 * 2**30 + 3 * 2**28,
    "example-side-projects": 112 * 2**30,
    "example-new-team": 11_500_000_000,
}
# What Netlify's /bandwidth puts in "included": an allowance, or nothing on a credit plan.
EXAMPLE_INCLUDED = {"example-new-team": 0}
# The credit team's sites, and how many days ago each of their production deploys was made.
EXAMPLE_SITES = {"example-blog": [2, 9], "example-docs": [5]}


def site(site_id: str, name: str) -> dict[str, object]:
    """A site as Netlify's site list gives it (listSitesForAccount)."""
    return {"id": site_id, "name": name, "created_at": "2024-01-02T10:00:00.000Z"}


def deploy(
    created_at: datetime, context: str = "production", state: str = "ready"
) -> dict[str, str]:
    """A deploy as Netlify's deploy list gives it (listSiteDeploys)."""
    return {"context": context, "state": state, "created_at": created_at.isoformat()}


def example_reports(now: datetime) -> list[TeamReport]:
    """Three made-up teams, read by the same code as real answers, from answers made here."""
    pacific = timezone(timedelta(hours=-8))
    midnight = now.astimezone(pacific).replace(hour=0, minute=0, second=0, microsecond=0)

    def answer(request: api.Request) -> api.Response:
        path = urlsplit(request.url).path
        if path.endswith("/accounts"):
            return api.Response(200, json.dumps(EXAMPLE_TEAMS).encode())
        if path.endswith("/sites"):
            listed = [site(name, name) for name in EXAMPLE_SITES]
            return api.Response(200, json.dumps(listed).encode())
        if path.endswith("/deploys"):
            days = EXAMPLE_SITES[path.split("/")[-2]]
            made = [deploy(now - timedelta(days=ago)) for ago in days]
            return api.Response(200, json.dumps(made).encode())
        slug = path.split("/")[-2]
        figures = {
            "used": EXAMPLE_USED[slug],
            "included": EXAMPLE_INCLUDED.get(slug, 100 * 2**30),
            "additional": 0,
            "last_updated_at": (now - timedelta(minutes=14)).isoformat(),
            "period_start_date": (midnight - timedelta(days=19)).isoformat(),
            "period_end_date": (midnight + timedelta(days=11)).isoformat(),
        }
        return api.Response(200, json.dumps(figures).encode())

    # The answers come from `answer` above: nothing is sent anywhere, so no token is needed.
    return answered_by(Check("nfp_example", [], now=lambda: now), answer)


def answered_by(running: Check, answer: Send) -> list[TeamReport]:
    """A check whose answers come from memory (the example, the warm-up): one at a time."""
    while not running.finished:
        for request_id, request in running.requests():
            running.receive(request_id, answer(request))
    return running.reports()
