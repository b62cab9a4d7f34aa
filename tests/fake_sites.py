"""The sites and deploys the fake API plays (tests/fake_netlify.py), as Netlify's site list
(listSitesForAccount) and deploy lists (listSiteDeploys) give them: paged, newest first, and
filtered by the `production` and `state` a request asks for.

By default Credits Co, the fake's credit team, has two sites. "blog" made three production
deploys in the billing period (20 of 30 days gone), plus one that failed, two Deploy Previews, a
branch deploy and a production deploy from before the period; "docs" made two. Five production
deploys at 15 credits: 75 credits, and with its 4.5 GB of bandwidth (90 credits) 165 of 300.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from checker.netlify import samples


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def default_sites() -> dict[str, list[dict[str, Any]]]:
    return {
        "credits-co": [
            samples.site("site-blog", "blog"),
            samples.site("site-docs", "docs"),
        ]
    }


def default_deploys() -> dict[str, list[dict[str, Any]]]:
    blog = [
        samples.deploy(days_ago(2)),
        samples.deploy(days_ago(3), "deploy-preview"),
        samples.deploy(days_ago(5), state="error"),
        samples.deploy(days_ago(6), "branch-deploy"),
        samples.deploy(days_ago(8)),
        samples.deploy(days_ago(11), "deploy-preview"),
        samples.deploy(days_ago(15)),
        samples.deploy(days_ago(25)),  # before the period began
    ]
    return {
        "site-blog": blog,
        "site-docs": [samples.deploy(days_ago(1)), samples.deploy(days_ago(12))],
    }


def many_sites(prefix: str, count: int) -> list[dict[str, Any]]:
    return [samples.site(f"{prefix}-{n}", f"{prefix} {n}") for n in range(count)]


def production_deploys(count: int, every_hours: float = 2) -> list[dict[str, Any]]:
    """`count` production deploys, newest first, one every `every_hours` from an hour ago."""
    return [samples.deploy(days_ago((1 + n * every_hours) / 24)) for n in range(count)]


def page_of(entries: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """What one page of a list holds, as the request's query asks."""
    asked = parse_qs(query)
    if asked.get("production") == ["true"]:
        entries = [entry for entry in entries if entry.get("context") == "production"]
    if "state" in asked:
        entries = [entry for entry in entries if entry.get("state") in asked["state"]]
    page = int(asked.get("page", ["1"])[0])
    per_page = min(100, int(asked.get("per_page", ["100"])[0]))
    return entries[(page - 1) * per_page : page * per_page]
