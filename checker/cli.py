"""The Netlify bandwidth checker's command line: `netlify-bandwidth --help` (installed), or
`python3 app.py --help` from a clone, says how to use it.

It prints the same view of each team as the page draws (checker/view/page.py), or the `--json`
document (checker/outputs/schema.py); everything else is in the `checker` package, which the page's
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

from checker import transport
from checker.arguments import arguments
from checker.figures import history
from checker.figures.team import Verdict, standing, team_model, verdict
from checker.netlify import api, inputs
from checker.netlify.api import Send
from checker.netlify.ratelimit import RATE_LIMIT_WAITS, Pause, waiting
from checker.netlify.report import Clock, TeamReport, utc_now
from checker.netlify.samples import example_reports
from checker.outputs import (
    action_outputs,
    addresses,
    alert_issue,
    deploy_gate,
    local_file,
    notify,
    schema,
)
from checker.outputs.summary import markdown
from checker.outputs.terminal import log_text
from checker.transport import check
from checker.view.card import team_view
from checker.view.shape import TeamView

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_OVER = 0, 1, 2, 3


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
    prog: str = "netlify-bandwidth",
    send: Send = transport.send,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
    now: Clock = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    args = arguments(argv, prog)
    try:
        code = _run(args, send, stdin, stdout, stderr, now, sleep)
    except KeyboardInterrupt:
        code = EXIT_FAILED
    except Exception as error:  # noqa: BLE001 - the last resort: one line, never a traceback
        # Only the kind of error: its words may come from a server, and hold escape sequences.
        kind = log_text(type(error).__name__)
        print(f"{prog}: something unexpected went wrong ({kind}). Please try again.", file=stderr)
        code = EXIT_FAILED
    failed = code != EXIT_OK and not args.outputs_written and args.fail_over is not None
    if args.github_output and failed:
        # A later step's gate reads the outputs whatever happened: a failed run says so there.
        _write_outputs(args, action_outputs.failed(args.team), stderr)
    return code


def _write_outputs(args: argparse.Namespace, values: dict[str, str], stderr: TextIO) -> bool:
    args.outputs_written = True
    try:
        local_file.append_text(args.github_output, action_outputs.lines(values))
    except local_file.LocalFileError as error:
        print(f"{args.prog}: could not write the outputs: {log_text(error.reason)}", file=stderr)
        return False
    return True


def _run(
    args: argparse.Namespace,
    send: Send,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    now: Clock,
    sleep: Callable[[float], None],
) -> int:
    if args.example:
        reports = example_reports(now())
        said = f"Example figures for {len(reports)} made-up teams; nothing was sent to Netlify."
        print(said, file=stderr)
        return _output(args, reports, stdout, stderr, now(), example=True)
    refused = _unusable_setting(args)
    if refused is not None:
        print(f"{args.prog}: {refused}", file=stderr)
        return EXIT_USAGE
    base = _api_base()
    token = _token(stdin)
    if token is None:
        print(
            f"{args.prog}: set NETLIFY_AUTH_TOKEN to a personal access token, or run in a terminal "
            f"to be asked for one. Create one at {api.TOKENS_PAGE}",
            file=stderr,
        )
        return EXIT_USAGE

    def say_pause(pause: Pause) -> None:
        seconds = max(1, round((pause.until - now()).total_seconds()))
        said = waiting(pause.number, RATE_LIMIT_WAITS).format(seconds=seconds)
        print(f"{args.prog}: {said}", file=stderr)

    if args.deploy_gate:
        return _deploy_gate(args, token, send, base, stdout, now, sleep, say_pause)
    try:
        reports = check(token, args.team, send, base=base, now=now, sleep=sleep, on_pause=say_pause)
    except api.CheckError as error:
        print(f"{args.prog}: {log_text(_failure(error, base))}", file=stderr)
        return EXIT_FAILED
    return _output(args, reports, stdout, stderr, now())


def _api_base() -> str:
    return os.environ.get("NETLIFY_API_URL") or api.API_BASE


def _unusable_setting(args: argparse.Namespace) -> str | None:
    """What of the environment or the notification addresses cannot be used, in a sentence."""
    if not addresses.usable_base(_api_base()):
        return (
            "NETLIFY_API_URL must be an https:// address with a host, "
            f"such as {api.API_BASE} (or http:// on this machine)"
        )
    github_api = os.environ.get("GITHUB_API_URL") or alert_issue.API_BASE
    if args.github_issue and not addresses.usable_base(github_api):
        return (
            "GITHUB_API_URL must be an https:// address with a host and nothing "
            f"else, such as {alert_issue.API_BASE}"
        )
    try:
        targets = _targets(args)
    except local_file.LocalFileError as error:
        return f"--notify-file {log_text(error.reason)}"
    if targets and args.fail_over is None:
        return f"{notify.ENVIRONMENT} needs --fail-over: the threshold to be told about"
    if targets and not notify.available():
        return notify.INSTALL
    return None


def _failure(error: api.CheckError, base: str) -> str:
    """Why the check failed as a whole. The transport's words are about api.netlify.com; a
    stand-in set by the reader is not."""
    if isinstance(error, api.NetworkError) and not isinstance(error, api.TimedOut):
        if base != api.API_BASE:
            return (
                f"Could not reach {urlsplit(base).netloc}, the API that NETLIFY_API_URL names. "
                "Check the address, and that something answers there."
            )
    return error.message


def _deploy_gate(
    args: argparse.Namespace,
    token: str,
    send: Send,
    base: str,
    stdout: TextIO,
    now: Clock,
    sleep: Callable[[float], None],
    on_pause: Callable[[Pause], None],
) -> int:
    """--deploy-gate: the one team's decision, as one line of JSON, whatever happened; a
    failure to check the team is its own decision ("unknown"), never an exit without one."""
    try:
        team = args.team or [_site_team(token, args.site, send, base, now())]
        [report] = check(token, team, send, base=base, now=now, sleep=sleep, on_pause=on_pause)
    except api.CheckError as error:
        gate = deploy_gate.unknown(error.message, stop_on_unknown=args.stop_on_unknown)
    else:
        when = now()
        gate = deploy_gate.decide(
            team_model(report, when),
            when,
            args.units,
            threshold=args.fail_over,
            stop_on_unknown=args.stop_on_unknown,
        )
    print(json.dumps(gate.document()), file=stdout)
    return EXIT_OK


def _site_team(token: str, site: str, send: Send, base: str, now: datetime) -> str:
    """The slug of the team the site belongs to. Raises CheckError. Sent as a check's requests
    are (transport.Threads): a transport that breaks is a request without an answer, and the
    answer has TIMEOUT_SECONDS in all, however it trickles in."""
    sender = transport.Threads(send, api.TIMEOUT_SECONDS)
    sender.start(0, api.site_request(inputs.clean_token(token), site, base=base))
    answered = sender.next()
    assert answered is not None  # one request in flight: next() gives its outcome
    return api.read_site_team(api.answer(answered[1]), now)


def _output(
    args: argparse.Namespace,
    reports: list[TeamReport],
    stdout: TextIO,
    stderr: TextIO,
    now: datetime,
    *,
    example: bool = False,
) -> int:
    kept = _kept_readings(args.history) if args.history else []
    # The table only where it is shown: a plain run prints cards, and builds no table.
    wanted = args.format == "markdown" or args.summary is not None
    table = markdown(reports, now, args.units, args.fail_over) if wanted else ""
    if not args.quiet:  # a log others can read gets no team, figure or name
        print(_shown(args, reports, now, kept, table, example=example), file=stdout)
    failed = [report for report in reports if report.error]
    _say_failed(args, failed, stderr)
    if not _kept_files(args, reports, now, table, stderr):
        return EXIT_FAILED
    threshold = args.fail_over
    verdicts = (
        [] if threshold is None else [verdict(team_model(r, now), threshold) for r in reports]
    )
    unknown = [
        report
        for report, said in zip(reports, verdicts, strict=False)
        if said == "unknown" and not report.error
    ]
    _say_unknown(args, unknown, now, stderr)
    state = standing(verdicts)
    done = None
    if args.github_issue:
        try:
            body = markdown(reports, now, args.units, threshold, limit=alert_issue.MAX_BODY)
            done = alert_issue.sync(state, body, os.environ)
        except alert_issue.GitHubError as error:
            print(f"{args.prog}: {log_text(error.message)}", file=stderr)
            return EXIT_FAILED
        print(f"{args.prog}: {done}", file=stderr)
    if args.github_output and threshold is not None:
        values = action_outputs.outputs(reports, now, threshold)
        if not _write_outputs(args, values, stderr):
            return EXIT_FAILED
    targets = [] if example else _targets(args)
    delivered = True
    if targets and threshold is not None:
        judged = list(zip(reports, verdicts, strict=True))
        delivered = _notify(args, targets, judged, kept, now, done, stderr)
    if state == "reached":
        # Whatever else failed: a script waiting for 3 must not miss the alert.
        if args.quiet:
            print(f"{args.prog}: a team has reached {args.fail_over:g} %", file=stderr)
        return EXIT_OVER
    if failed or state == "unknown" or not delivered:
        return EXIT_FAILED
    return EXIT_OK


def _shown(
    args: argparse.Namespace,
    reports: list[TeamReport],
    now: datetime,
    kept: list[history.Reading],
    table: str,
    *,
    example: bool,
) -> str:
    """The teams in the format asked for: cards as text, the --json document, or the table."""
    if args.format == "json":
        document = schema.document(reports, now, example=example, threshold=args.fail_over)
        return json.dumps(document, indent=2)
    if args.format == "markdown":
        return table
    teams = [team_view(report, now, args.units, kept) for report in reports]
    return "\n\n".join(map(printed, teams))


def _say_failed(args: argparse.Namespace, failed: list[TeamReport], stderr: TextIO) -> None:
    """Each team that could not be checked, and why; with --quiet only how many, since the
    reasons name the team."""
    if failed and args.quiet:
        print(
            f"{args.prog}: {len(failed)} team(s) could not be checked; run without --quiet to see "
            "which and why",
            file=stderr,
        )
    for report in [] if args.quiet else failed:
        message = log_text(report.error.message)  # type: ignore[union-attr]
        print(f"{args.prog}: {report.account.slug}: {message}", file=stderr)


def _kept_files(
    args: argparse.Namespace, reports: list[TeamReport], now: datetime, table: str, stderr: TextIO
) -> bool:
    """This run's readings added to --history and its table to --summary; False, said, if one
    could not be written."""
    if args.history:
        readings = (history.reading(report, now) for report in reports)
        try:
            local_file.append(args.history, (reading for reading in readings if reading))
        except local_file.LocalFileError as error:
            print(f"{args.prog}: could not add to {log_text(error.reason)}", file=stderr)
            return False
    if args.summary:
        try:
            local_file.append_text(args.summary, table + "\n")
        except local_file.LocalFileError as error:
            said = log_text(error.reason)
            print(f"{args.prog}: could not write the summary: {said}", file=stderr)
            return False
    return True


def _notify(
    args: argparse.Namespace,
    targets: list[notify.Target],
    judged: list[tuple[TeamReport, Verdict]],
    kept: list[history.Reading],
    now: datetime,
    issue: alert_issue.Done | None,
    stderr: TextIO,
) -> bool:
    """Sends this run's notification, if there is one; False if a target did not take it (each
    said in one line, naming the target by place and scheme only)."""

    def before(report: TeamReport) -> history.Reading | None:
        current = history.reading(report, now)
        return None if current is None else history.previous(kept, current)

    message = notify.message(
        judged,
        args.fail_over,
        now,
        args.units,
        before=before if args.history else None,
        issue=issue.what if issue is not None else None,
    )
    if message is None:
        return True
    failures = notify.send(targets, message)
    for failure in failures:
        print(f"{args.prog}: {failure}", file=stderr)
    return not failures


def _targets(args: argparse.Namespace) -> list[notify.Target]:
    """Every notification address given. Raises LocalFileError for a --notify-file unread."""
    file = args.notify_file
    listed = local_file.read_text(file) if file else ""
    return notify.targets(args.notify, os.environ, listed, str(file or ""))


def _say_unknown(
    args: argparse.Namespace, unknown: list[TeamReport], now: datetime, stderr: TextIO
) -> None:
    """Teams checked whose figures cannot settle --fail-over (a failed team is said already)."""
    if not unknown:
        return
    if args.quiet:
        print(
            f"{args.prog}: {len(unknown)} team(s) cannot be judged against {args.fail_over:g} %; "
            "run without --quiet to see which and why",
            file=stderr,
        )
        return
    for report in unknown:
        why = log_text(team_model(report, now).unknown or "")
        print(
            f"{args.prog}: {report.account.slug}: not known whether it reached "
            f"{args.fail_over:g} %: {why}",
            file=stderr,
        )


def _kept_readings(path: Path) -> list[history.Reading]:
    try:
        return local_file.read(path)
    except local_file.LocalFileError:
        return []  # said when this run's readings cannot be added either


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
    return "\n".join(map(log_text, lines))


def run() -> None:
    """The installed `netlify-bandwidth` command (pyproject.toml's console script)."""
    sys.exit(main())
