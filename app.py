"""The Netlify bandwidth checker: what to show for what the user typed, in a page or a terminal.

The page's worker calls `handle()` with the form's contents and renders the JSON it returns.
`python3 app.py` runs the same checks from a terminal; `python3 app.py --help` says how.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

from checker import api
from checker.figures import UNIT_SYSTEMS, Usage, format_bytes, format_percent, usage
from checker.transport import Send

if TYPE_CHECKING:
    import argparse

Clock = Callable[[], datetime]
JSON_SCHEMA = "netlify-bandwidth-checker/1"


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


class TeamRefused(api.Forbidden):
    """A 401 for one team's figures from a token that has just listed the teams."""

    def __init__(self, slug: str, token_message: str) -> None:
        super().__init__(
            f"Netlify refused this token for “{slug}”'s bandwidth (HTTP 401), though the "
            "token works: its role in that team may not include billing."
        )
        self.token_message = token_message


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


# --- one report as data: the --json schema, and the base of what the page shows -----------------


def summary(report: TeamReport, now: datetime) -> dict[str, Any]:
    """A team's figures as plain data: bytes as integers, dates as ISO 8601."""
    account = report.account
    team: dict[str, Any] = {
        "slug": account.slug,
        "name": account.name,
        "plan": account.plan,
        "error": report.error.message if report.error else None,
        "bandwidth": None,
        "period": None,
        "updated_at": None,
        "quotas": {
            name: {"used": quota.used, "included": quota.included}
            for name, quota in account.quotas.items()
        },
    }
    if report.bandwidth is None:
        return team
    figures = usage(report.bandwidth, now)
    team["bandwidth"] = {
        **figures.amounts(),
        "used_percent": None if figures.share is None else round(figures.share * 100, 2),
        "on_course_to_run_over": figures.on_course_to_run_over,
    }
    team["period"] = {
        "start": _iso(report.bandwidth.period_start),
        "end": _iso(report.bandwidth.period_end),
        "days_left": figures.days_left,
        "elapsed_percent": None if figures.elapsed is None else round(figures.elapsed * 100, 2),
    }
    team["updated_at"] = _iso(report.bandwidth.updated_at)
    return team


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def texts(figures: Usage, units: str) -> dict[str, str | None]:
    """Every amount as a person reads it, and the one sentence about the pace."""
    amounts = figures.amounts().items()
    text = {k: None if v is None else format_bytes(v, units) for k, v in amounts}
    text["percent"] = None if figures.share is None else format_percent(figures.share)
    text["pace"] = _pace(figures, text)
    return text


def _pace(figures: Usage, text: dict[str, str | None]) -> str | None:
    if figures.over > 0:
        return f"Over the allowance by {text['over']}."
    if figures.available == 0:
        return "This plan includes no bandwidth allowance to measure against."
    if figures.projected is None or figures.elapsed is None or figures.elapsed >= 1:
        return None
    shares = f"{text['percent']} used with {format_percent(figures.elapsed)} of the period gone"
    if figures.on_course_to_run_over:
        return (
            f"On course to run over: {shares}. At this pace, about {text['projected']} "
            "by the period's end."
        )
    return f"On track: {shares}. At this pace, about {text['projected']} by the period's end."


QUOTA_LABELS = {
    "sites": "Sites",
    "collaborators": "Collaborators",
    "build_minutes": "Build minutes",
    "credits": "Credits",
}


def quota_lines(quotas: dict[str, api.Quota]) -> list[tuple[str, str]]:
    """The team's other quotas as label and value, in the order Netlify lists them."""
    lines = []
    for name, quota in quotas.items():
        if name == "bandwidth":
            continue  # shown in full, from the bandwidth endpoint
        label = QUOTA_LABELS.get(name, name.replace("_", " ").capitalize())
        used, included = quota.used, quota.included
        if name == "credits" and not used:
            # Netlify's API reads 0 on credit-based plans whatever was spent (open-api #640).
            allowance = f"{included:,} included; " if included else ""
            value = f"{allowance}usage not reported by Netlify's API"
        elif used is not None and included is not None:
            value = f"{used:,} of {included:,}"
        elif used is not None:
            value = f"{used:,} used"
        elif included is not None:
            value = f"{included:,} included"
        else:
            continue
        lines.append((label, value))
    return lines


# --- the page -----------------------------------------------------------------------------------


def page_view(reports: list[TeamReport], now: datetime) -> dict[str, Any]:
    teams = []
    for report in reports:
        team = summary(report, now)
        team["quota_lines"] = quota_lines(report.account.quotas)
        team["unchanged"] = report.unchanged
        if report.bandwidth is not None:
            figures = usage(report.bandwidth, now)
            team["text"] = {units: texts(figures, units) for units in UNIT_SYSTEMS}
            team["raw"] = report.raw
        teams.append(team)
    return {"ok": True, "teams": teams}


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


# --- an example, for readers without a token ------------------------------------------------------

_EXAMPLE_TEAMS = [
    {
        "slug": "example-studio",
        "name": "Example Studio",
        "type_name": "Pro",
        "capabilities": {
            "sites": {"included": 500, "used": 23},
            "build_minutes": {"included": 25000, "used": 6120},
        },
    },
    {
        "slug": "example-side-projects",
        "name": "Example Side Projects",
        "type_name": "Starter",
        "capabilities": {"sites": {"included": 500, "used": 4}},
    },
]
# Used bytes of each example team: one well inside its 100 GiB, one over it.
_EXAMPLE_USED = {"example-studio": 41 * 2**30 + 3 * 2**28, "example-side-projects": 112 * 2**30}


def example_reports(now: datetime) -> list[TeamReport]:
    """Two made-up teams, read by the same code as real answers, from answers made here."""
    pacific = timezone(timedelta(hours=-8))
    midnight = now.astimezone(pacific).replace(hour=0, minute=0, second=0, microsecond=0)

    def answer(request: api.Request) -> api.Response:
        path = urlsplit(request.url).path
        if path.endswith("/accounts"):
            return api.Response(200, json.dumps(_EXAMPLE_TEAMS).encode())
        slug = path.split("/")[-2]
        figures = {
            "used": _EXAMPLE_USED[slug],
            "included": 100 * 2**30,
            "additional": 0,
            "last_updated_at": (now - timedelta(minutes=14)).isoformat(),
            "period_start_date": (midnight - timedelta(days=19)).isoformat(),
            "period_end_date": (midnight + timedelta(days=11)).isoformat(),
        }
        return api.Response(200, json.dumps(figures).encode())

    # The answers come from `answer` above: nothing is sent anywhere, so no token is needed.
    return check("nfp_example", [], answer, now=lambda: now)


def example_view(now: datetime) -> dict[str, Any]:
    return {**page_view(example_reports(now), now), "example": True}


# What this page has been told, for the life of its worker ("Forget token" ends that life).
_MEMORY: Memory = {}
# The last check's reports, for details() to complete.
_LAST: list[TeamReport] = []


def handle(message: str, send: Send, on_request: Callable[[], None] | None = None) -> str:
    """The worker's entry point: the form as JSON in, the view as JSON out. Never raises.

    `on_request` runs before each request, so the page can time requests rather than checks.
    """

    def announced(request: api.Request) -> api.Response:
        if on_request is not None:
            on_request()
        return send(request)

    try:
        form = json.loads(message)
        if form.get("example") is True:
            return json.dumps(example_view(utc_now()))
        reports = check(
            str(form.get("token", "")), [str(form.get("team", ""))], announced, memory=_MEMORY
        )
        _LAST[:] = reports
        result = page_view(reports, utc_now())
    except api.CheckError as error:
        result = error_view(error)
    except Exception:  # noqa: BLE001 - the page must get a sentence, never a traceback
        result = error_view(
            api.CheckError("Something unexpected went wrong while checking. Please try again.")
        )
    return json.dumps(result)


def details(message: str, send: Send) -> str:
    """The last check's view again, its teams named by slug now with their name, plan and
    quotas; "null" when there is nothing to add. The worker asks once the figures are shown."""
    try:
        form = json.loads(message)
        if not _LAST or not str(form.get("team", "")).strip():
            return "null"
        detailed = with_details(_LAST, str(form.get("token", "")), send)
        return json.dumps(page_view(detailed, utc_now()))
    except Exception:  # noqa: BLE001 - the figures are on the page already; nothing to add
        return "null"


# Netlify's answer as recorded (docs/netlify-api.md), for warming up.
_SAMPLE = api.Response(
    200,
    b'{"used": 27167800363, "included": 107374182400, "additional": 0,'
    b' "last_updated_at": "2024-03-10T15:15:03.237+00:00",'
    b' "period_start_date": "2024-02-17T00:00:00.000-08:00",'
    b' "period_end_date": "2024-03-17T00:00:00.000-07:00"}',
)


def warm_up(send: Send, url: str, on_request: Callable[[], None] | None = None) -> str:
    """One check against a canned answer while the page has nothing else to do.

    A person's first check then finds every code path already run once (first calls are
    several times slower in the browser: lazily compiled patterns, caches, specialisation)
    and answers as fast as the ones after it. The transport's path is warmed with a request
    for `url`, a small file of the page's own origin; Netlify is not contacted. The view it
    returns lets the page rehearse its rendering the same way.
    """

    def canned(request: api.Request) -> api.Response:
        send(api.Request("GET", url, {"Accept": "application/json"}))
        return _SAMPLE

    return handle(json.dumps({"token": "nfp_warm_up", "team": "warm-up"}), canned, on_request)


# --- the terminal -------------------------------------------------------------------------------

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_OVER = 0, 1, 2, 3
# Netlify's own clients wait for the rate limit to reset; so do we, within reason.
RATE_LIMIT_RETRIES = 3
RATE_LIMIT_MAX_WAIT = 90.0


def patiently(
    send: Send,
    *,
    now: Clock = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    retries: int = RATE_LIMIT_RETRIES,
) -> Send:
    """`send`, waiting out Netlify's rate limit and trying again a few times before giving up."""

    def send_patiently(request: api.Request) -> api.Response:
        for _ in range(retries):
            response = send(request)
            if response.status != 429:
                return response
            retry_at = api.retry_time(response.headers, now())
            wait = 60.0 if retry_at is None else (retry_at - now()).total_seconds() + 1
            if wait > RATE_LIMIT_MAX_WAIT:
                return response
            sleep(max(1.0, wait))
        return send(request)

    return send_patiently


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    import argparse  # here, not at the top: the browser never parses arguments

    parser = argparse.ArgumentParser(
        prog="app.py",
        description="Show how much of your Netlify teams' monthly bandwidth is used.",
        epilog=(
            "The token comes from the NETLIFY_AUTH_TOKEN environment variable, or is asked for "
            "without echo when a terminal is attached; never from the command line, where other "
            "users could see it. Exit codes: 0 success, 1 failure, 2 usage error, "
            "3 a team is at or over --fail-over."
        ),
    )
    parser.add_argument(
        "--team",
        action="append",
        default=[],
        metavar="SLUG",
        help="check this team (may repeat); without it, every team the token can see",
    )
    parser.add_argument(
        "--units",
        choices=list(UNIT_SYSTEMS),
        default="binary",
        help="binary (GiB, as Netlify counts; the default) or decimal (GB)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document (see README) instead of text"
    )
    parser.add_argument(
        "--example",
        action="store_true",
        help="show made-up figures for two teams, to see what the checker shows; needs no token",
    )
    parser.add_argument(
        "--fail-over",
        type=float,
        metavar="PERCENT",
        help="exit with 3 when any team has used at least this share of its allowance",
    )
    args = parser.parse_args(argv)
    if args.fail_over is not None and not 0 <= args.fail_over <= 1000:
        parser.error("--fail-over takes a percentage from 0 to 1000")
    return args


def _token(stdin: TextIO) -> str | None:
    token = os.environ.get("NETLIFY_AUTH_TOKEN")
    if token:
        return token
    if stdin.isatty():
        import getpass  # here, not at the top: the browser never prompts

        return getpass.getpass("Netlify personal access token (not shown): ")
    return None


def main(
    argv: Sequence[str] | None = None,
    *,
    send: Send | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
) -> int:
    args = _arguments(argv)
    if args.example:
        print("Example figures for two made-up teams; nothing was sent to Netlify.", file=stderr)
        return _output(args, example_reports(utc_now()), stdout, stderr, example=True)
    base = os.environ.get("NETLIFY_API_URL") or api.API_BASE
    if not api.usable_base(base):
        print(
            "app.py: NETLIFY_API_URL must be an https:// address with a host, "
            f"such as {api.API_BASE} (or http:// on this machine)",
            file=stderr,
        )
        return EXIT_USAGE
    token = _token(stdin)
    if token is None:
        print(
            "app.py: set NETLIFY_AUTH_TOKEN to a personal access token, or run in a terminal "
            f"to be asked for one. Create one at {api.TOKENS_PAGE}",
            file=stderr,
        )
        return EXIT_USAGE
    if send is None:
        from checker.transport import send as plain_send

        send = patiently(plain_send)
    try:
        reports = check(token, args.team, send, base=base)
        if args.team:
            reports = with_details(reports, token, send, base=base)
    except api.NetworkError as error:
        # The transport's words are about api.netlify.com; a stand-in set by the reader is not.
        message = error.message
        if base != api.API_BASE and not isinstance(error, api.TimedOut):
            message = (
                f"Could not reach {urlsplit(base).netloc}, the API that NETLIFY_API_URL names. "
                "Check the address, and that something answers there."
            )
        print(f"app.py: {terminal_text(message)}", file=stderr)
        return EXIT_FAILED
    except api.CheckError as error:
        print(f"app.py: {terminal_text(error.message)}", file=stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
    return _output(args, reports, stdout, stderr)


def _output(
    args: argparse.Namespace,
    reports: list[TeamReport],
    stdout: TextIO,
    stderr: TextIO,
    *,
    example: bool = False,
) -> int:
    now = utc_now()
    if args.json:
        document = {
            "schema": JSON_SCHEMA,
            "checked_at": now.isoformat(),
            "units": "bytes",
            **({"example": True} if example else {}),
            "teams": [summary(report, now) for report in reports],
        }
        print(json.dumps(document, indent=2), file=stdout)
    else:
        print("\n\n".join(_human(report, now, args.units) for report in reports), file=stdout)
    failed = [report for report in reports if report.error]
    for report in failed:
        message = terminal_text(report.error.message)  # type: ignore[union-attr]
        print(f"app.py: {report.account.slug}: {message}", file=stderr)
    if failed:
        return EXIT_FAILED
    if args.fail_over is not None and any(
        report.bandwidth and _at_or_over(report.bandwidth, args.fail_over) for report in reports
    ):
        return EXIT_OVER
    return EXIT_OK


def _at_or_over(bandwidth: api.Bandwidth, percent: float) -> bool:
    if bandwidth.available == 0:
        # Nothing included: any use at all is over any threshold.
        return bandwidth.used > 0
    return bandwidth.used * 100 >= percent * bandwidth.available


# Bidirectional overrides and isolates reorder what follows them on screen.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_text(text: str) -> str:
    """`text` with every control character replaced, so that it prints as it reads.

    Team names and plans are written by whoever owns a team, and a terminal obeys the escape
    sequences in what it prints: one could set the clipboard (OSC 52), retitle the window or
    rewrite the lines above. Nothing from Netlify reaches the terminal without passing here.
    """
    return "".join("\ufffd" if _is_control(char) else char for char in text)


def _is_control(char: str) -> bool:
    # Unicode's category Cc (C0, DEL and C1), and the bidirectional controls.
    return ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or char in _BIDI_CONTROLS


def _human(report: TeamReport, now: datetime, units: str) -> str:
    account = report.account
    heading = account.name if account.name == account.slug else f"{account.name} ({account.slug})"
    if account.plan:
        heading += f" · {account.plan}"
    heading = terminal_text(heading)
    if report.bandwidth is None:
        assert report.error is not None
        return f"{heading}\n  {terminal_text(report.error.message)}"
    figures = usage(report.bandwidth, now)
    text = texts(figures, units)
    percent = f" ({text['percent']})" if text["percent"] else ""
    if figures.available:
        rows = [
            ("Used", f"{text['used']} of {text['available']}{percent}"),
            ("Included", text["included"]),
        ]
    else:
        # Not "0 B of 0 B" and "Remaining 0 B": there is nothing to use up.
        rows = [("Used", text["used"]), ("Included", "none")]
    if figures.additional:
        rows.append(("Additional", text["additional"]))
    if figures.over:
        rows.append(("Over by", text["over"]))
    elif figures.available:
        rows.append(("Remaining", text["remaining"]))
    start, end = report.bandwidth.period_start, report.bandwidth.period_end
    if start and end:
        rows.append(("Period", f"{start.date()} to {end.date()}, {_days(figures.days_left)} left"))
    if text["pace"]:
        rows.append(("Pace", text["pace"]))
    if report.bandwidth.updated_at:
        rows.append(("Updated", _ago(report.bandwidth.updated_at, now)))
    rows += quota_lines(account.quotas)
    rows = [(terminal_text(label), terminal_text(value)) for label, value in rows]
    width = max(len(label) for label, _ in rows)
    return "\n".join([heading, *(f"  {label:<{width}}  {value}" for label, value in rows)])


def _days(count: int | None) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _ago(when: datetime, now: datetime) -> str:
    minutes = max(0, round((now - when).total_seconds() / 60))
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = round(minutes / 60)
    return f"{hours} hours ago" if hours < 48 else f"{round(hours / 24)} days ago"


if __name__ == "__main__":
    sys.exit(main())
