"""The Netlify bandwidth checker's command line: `python3 app.py --help` says how to use it.

It prints the same view of each team as the page draws (checker/view.py), or the `--json`
document (checker/schema.py); everything else is in the `checker` package, which the page's
Python runs too.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

from checker import api, history, inputs, ratelimit, schema, transport
from checker.api import Send
from checker.check import Clock, TeamReport, utc_now
from checker.credits import team_credit_use
from checker.figures import UNIT_SYSTEMS
from checker.samples import example_reports
from checker.transport import check
from checker.view import TeamView, team_view

if TYPE_CHECKING:
    import argparse

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
            retry_at = ratelimit.retry_time(response.headers, now())
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
    parser.add_argument(
        "--history",
        type=Path,
        metavar="FILE",
        help="append each team's reading to FILE (JSON lines; never the token), and say how "
        "usage moved since the team's previous reading there",
    )
    args = parser.parse_args(argv)
    if args.fail_over is not None and not 0 <= args.fail_over <= 1000:
        parser.error("--fail-over takes a percentage from 0 to 1000")
    if args.history and args.example:
        parser.error("--history keeps real readings, not the example's")
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
        reports = example_reports(utc_now())
        said = f"Example figures for {len(reports)} made-up teams; nothing was sent to Netlify."
        print(said, file=stderr)
        return _output(args, reports, stdout, stderr, example=True)
    base = os.environ.get("NETLIFY_API_URL") or api.API_BASE
    if not inputs.usable_base(base):
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
        send = patiently(transport.send)
    try:
        reports = check(token, args.team, send, base=base)
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
    kept = _kept_readings(args.history) if args.history else []
    if args.json:
        print(json.dumps(schema.document(reports, now, example=example), indent=2), file=stdout)
    else:
        teams = [team_view(report, now, args.units, kept) for report in reports]
        print("\n\n".join(map(printed, teams)), file=stdout)
    failed = [report for report in reports if report.error]
    for report in failed:
        message = terminal_text(report.error.message)  # type: ignore[union-attr]
        print(f"app.py: {report.account.slug}: {message}", file=stderr)
    if args.history:
        try:
            with args.history.open("a", encoding="utf-8") as file:
                readings = (history.reading(report, now) for report in reports)
                file.writelines(reading.line() + "\n" for reading in readings if reading)
        except OSError as error:
            print(f"app.py: could not add to {args.history}: {error.strerror}", file=stderr)
            return EXIT_FAILED
    if failed:
        return EXIT_FAILED
    if args.fail_over is not None and any(
        _at_or_over(report, args.fail_over, now) for report in reports
    ):
        return EXIT_OVER
    return EXIT_OK


def _kept_readings(path: Path) -> list[history.Reading]:
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            return history.read_lines(file)
    except OSError:
        return []  # none yet: this run's readings start the file


def _at_or_over(report: TeamReport, percent: float, now: datetime) -> bool:
    """Whether the team has used `percent` of its allowance, or of its month's credits."""
    bandwidth, use = report.bandwidth, team_credit_use(report, now)
    if bandwidth is None or report.plan == "unknown":
        return False
    if use is not None:
        return use.spent * 100 >= percent * use.included if use.included else use.spent > 0
    if bandwidth.available == 0:
        # Nothing included: any use at all is over any threshold.
        return bandwidth.used > 0
    return bandwidth.used * 100 >= percent * bandwidth.available


def printed(team: TeamView) -> str:
    """A team's view as lines of text: the page's card, row for row, with the page's labels."""
    heading = " · ".join(filter(None, [team["heading"], team["subtitle"]]))
    lines = [heading]
    if team["error"]:
        lines.append(f"  {team['error']['message']}")
    if team["headline"]:
        lines.append(f"  {team['headline']['strong']}{team['headline']['rest']}")
    if team["pace"]:
        lines.append(f"  {team['pace']['text']}")
    if team["caveat"]:
        lines.append(f"  {team['caveat']}")
    if team["link"]:
        lines.append(f"  {team['link']['text']}: {team['link']['href']}")
    rows = [(row["label"], row["value"]) for row in team["rows"]]
    quotas = [(row["label"], row["value"]) for row in team["quotas"]]
    width = max((len(label) for label, _ in rows + quotas), default=0)
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    if quotas:
        lines.append("  Other quotas")
        lines += [f"  {label:<{width}}  {value}" for label, value in quotas]
    return "\n".join(map(terminal_text, lines))


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


if __name__ == "__main__":
    sys.exit(main())
