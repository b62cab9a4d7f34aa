"""The Netlify bandwidth checker: what to show for what the user typed.

The page's worker calls `handle()` with the form's contents and renders the dict it returns;
`python3 app.py` runs the same checks in a terminal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from checker import api
from checker.figures import UNIT_SYSTEMS, format_bytes, format_percent, usage
from checker.transport import Send

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class TeamReport:
    slug: str
    name: str
    plan: str | None
    # Exactly one of bandwidth or error is set: one team's failure does not hide the others.
    bandwidth: api.Bandwidth | None
    error: api.CheckError | None
    raw: str


def check(
    token_text: str,
    team_text: str,
    send: Send,
    *,
    now: Clock = utc_now,
    base: str = api.API_BASE,
    on_request: Callable[[], None] | None = None,
) -> list[TeamReport]:
    """Check one team, or every team the token can see. Raises CheckError for a failure of all."""
    token = api.clean_token(token_text)
    slug = api.clean_slug(team_text)

    def fetch(request: api.Request) -> api.Response:
        if on_request is not None:
            on_request()
        return send(request)

    if slug is not None:
        return [_team(token, slug, slug, None, fetch, now, base, alone=True)]
    accounts = api.read_accounts(fetch(api.accounts_request(token, base=base)), now())
    if not accounts:
        raise api.TeamNotFound("This token can see no Netlify team, so there is nothing to check.")
    return [
        _team(token, account.slug, account.name, account.plan, fetch, now, base, alone=False)
        for account in accounts
    ]


def _team(
    token: str,
    slug: str,
    name: str,
    plan: str | None,
    fetch: Send,
    now: Clock,
    base: str,
    *,
    alone: bool,
) -> TeamReport:
    response = fetch(api.bandwidth_request(token, slug, base=base))
    try:
        result = api.read_bandwidth(response, slug, now())
    except (api.Forbidden, api.TeamNotFound, api.BadResponse) as error:
        # In a list of teams, one that refuses us (a role without billing access, say)
        # is reported in its place; the rest still count.
        if alone:
            raise
        return TeamReport(slug, name, plan, None, error, "")
    if isinstance(result, api.NotModified):
        raise api.BadResponse("Netlify answered “not modified” to a request that asked for figures.")
    return TeamReport(slug, name, plan, result, None, response.body.decode("utf-8", "replace"))


# --- the page -----------------------------------------------------------------------------------


def view(reports: list[TeamReport], now: datetime) -> dict[str, Any]:
    """What the page renders: plain JSON, every figure already formatted in both unit systems."""
    return {"ok": True, "teams": [_team_view(report, now) for report in reports]}


def error_view(error: api.CheckError) -> dict[str, Any]:
    retry_at = error.retry_at if isinstance(error, api.RateLimited) else None
    return {
        "ok": False,
        "error": {
            "kind": error.kind,
            "message": error.message,
            "field": error.field,
            "retry_at": _iso(retry_at),
        },
    }


def _team_view(report: TeamReport, now: datetime) -> dict[str, Any]:
    team: dict[str, Any] = {"slug": report.slug, "name": report.name, "plan": report.plan}
    if report.bandwidth is None:
        assert report.error is not None
        team["error"] = report.error.message
        return team
    bandwidth = report.bandwidth
    figures = usage(bandwidth, now)
    amounts = {
        "used": figures.used,
        "included": figures.included,
        "additional": figures.additional,
        "available": figures.available,
        "remaining": figures.remaining,
        "over": figures.over,
        "projected": figures.projected,
    }
    team.update(
        bytes=amounts,
        text={
            units: {k: None if v is None else format_bytes(v, units) for k, v in amounts.items()}
            for units in UNIT_SYSTEMS
        },
        share=figures.share,
        percent=None if figures.share is None else format_percent(figures.share),
        elapsed=figures.elapsed,
        days_left=figures.days_left,
        on_course_to_run_over=figures.on_course_to_run_over,
        period_start=_iso(bandwidth.period_start),
        period_end=_iso(bandwidth.period_end),
        updated_at=_iso(bandwidth.updated_at),
        raw=report.raw,
    )
    return team


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def handle(message: str, send: Send, on_request: Callable[[], None] | None = None) -> str:
    """The worker's entry point: the form as JSON in, the view as JSON out. Never raises."""
    try:
        form = json.loads(message)
        reports = check(
            str(form.get("token", "")),
            str(form.get("team", "")),
            send,
            on_request=on_request,
        )
        result = view(reports, utc_now())
    except api.CheckError as error:
        result = error_view(error)
    except Exception:  # noqa: BLE001 - the page must get a sentence, never a traceback
        result = error_view(
            api.CheckError("Something unexpected went wrong while checking. Please try again.")
        )
    return json.dumps(result)
