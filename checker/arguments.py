"""The command line's arguments: what `netlify-bandwidth --help` says, and the combinations it
refuses before anything is asked of Netlify."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from checker import __version__
from checker.figures.amounts import UNIT_SYSTEMS

# An address with a scheme, as argparse would repeat it ("unrecognized arguments: slack://…"):
# a notification address carries its secret after the scheme.
_ADDRESS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,19}://)\S*")


class _Parser(argparse.ArgumentParser):
    """argparse, whose own errors repeat what they were given, with no part of an address
    after its scheme."""

    def error(self, message: str) -> NoReturn:
        super().error(_ADDRESS.sub(r"\1…", message))


def arguments(argv: Sequence[str] | None, prog: str) -> argparse.Namespace:
    parser = _Parser(
        prog=prog,
        description="Show how much of your Netlify teams' monthly bandwidth is used.",
        epilog=(
            "The token comes from the NETLIFY_AUTH_TOKEN environment variable, or is asked for "
            "without echo when a terminal is attached; never from the command line, where other "
            "users could see it. Exit codes: 0 success, 1 failure, 2 usage error, "
            "3 a team is at or over --fail-over."
        ),
    )
    _what_is_shown(parser)
    _alerts(parser)
    _deploy_guard(parser)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)
    args.prog = prog
    args.outputs_written = False  # --github-output: written once, by the run or for its failure
    if args.json:
        args.format = "json"
    _refuse_combinations(parser, args)
    return args


def _what_is_shown(parser: argparse.ArgumentParser) -> None:
    """Which teams, and how they are shown."""
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
        "--format",
        choices=["text", "json", "markdown"],
        default="text",
        help="text (the default), one JSON document (its schema: docs/json-schema.md), or a "
        "Markdown table of every team",
    )
    parser.add_argument("--json", action="store_true", help="the same as --format json")
    parser.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="also append the Markdown table to FILE, such as GitHub's $GITHUB_STEP_SUMMARY "
        "(written with --quiet too)",
    )
    parser.add_argument(
        "--github-issue",
        action="store_true",
        help="open, update or close one GitHub issue as teams reach --fail-over or come back "
        "under it (in GitHub Actions: GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN)",
    )
    parser.add_argument(
        "--example",
        action="store_true",
        help="show made-up figures for two teams, to see what the checker shows; needs no token",
    )


def _alerts(parser: argparse.ArgumentParser) -> None:
    """What is reached, and who hears of it."""
    parser.add_argument(
        "--fail-over",
        type=float,
        metavar="PERCENT",
        help="exit with 3 when any team has used at least this share of its allowance or "
        "month's credits, or Netlify reports it over; else 1 when a team cannot be judged",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="print no team, figure or name, only whether --fail-over was reached and failures "
        "(for a log that others may read, such as a public CI run's)",
    )
    parser.add_argument(
        "--history",
        type=Path,
        metavar="FILE",
        help="append each team's reading to FILE (JSON lines; never the token), and say how "
        "usage moved since the team's previous reading there",
    )
    parser.add_argument(
        "--notify",
        action="append",
        default=[],
        metavar="URL",
        help="also send a notification through Apprise (Slack, Discord, ntfy, e-mail and 100 more: "
        "slack://…, discord://…, json://host/path) when a team reaches --fail-over or cannot be "
        "judged; may repeat; needs the `notify` extra. NETLIFY_NOTIFY may hold more, "
        "space-separated",
    )
    parser.add_argument(
        "--notify-file",
        type=Path,
        metavar="FILE",
        help="also notify every address in FILE, one a line (# for a comment): for anything "
        "that runs unattended, since arguments show in process lists",
    )
    parser.add_argument(
        "--github-output",
        type=Path,
        metavar="FILE",
        help="append the outputs a later workflow step can read (reached, highest-share, "
        "deploys-left, unknown) to FILE, such as GitHub's $GITHUB_OUTPUT",
    )


def _deploy_guard(parser: argparse.ArgumentParser) -> None:
    gate = parser.add_argument_group(
        "deploy guard",
        "what the Netlify Build plugin runs before a production deploy: one line of JSON saying "
        "whether the deploy of one team's site goes ahead (docs/build-plugin.md)",
    )
    gate.add_argument(
        "--deploy-gate",
        action="store_true",
        help="decide for one team (--team, or --site): stop when Netlify reports it over, when "
        "fewer credits are left than a production deploy costs, or at --fail-over (90 by default "
        "for a credit team; a legacy team only with --fail-over)",
    )
    gate.add_argument(
        "--site",
        metavar="SITE_ID",
        help="with --deploy-gate: the team is the one this site belongs to",
    )
    gate.add_argument(
        "--stop-on-unknown",
        action="store_true",
        help="with --deploy-gate: stop the deploy too when the team's standing cannot be told",
    )


def _refuse_combinations(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """What cannot go together is refused before anything is asked of Netlify."""
    if args.github_issue and args.fail_over is None:
        parser.error("--github-issue needs --fail-over: the threshold the issue is about")
    if args.github_issue and args.example:
        parser.error("--github-issue reports real teams, not the example's")
    if args.fail_over is not None and not 0 <= args.fail_over <= 1000:
        parser.error("--fail-over takes a percentage from 0 to 1000")
    if args.history and args.example:
        parser.error("--history keeps real readings, not the example's")
    if (args.notify or args.notify_file) and args.fail_over is None:
        parser.error("--notify needs --fail-over: the threshold to be told about")
    if (args.notify or args.notify_file) and args.example:
        parser.error("--notify reports real teams, not the example's")
    if args.deploy_gate:
        _gate_arguments(parser, args)
    elif args.site or args.stop_on_unknown:
        parser.error("--site and --stop-on-unknown go with --deploy-gate")


# A site's id as Netlify gives it (a UUID), or its name.
_SITE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,252}\Z")


def _gate_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--deploy-gate decides for one team and writes nothing but its decision."""
    if len(args.team) + bool(args.site) != 1:
        parser.error("--deploy-gate decides for one team: give --team SLUG or --site SITE_ID")
    if args.site and not _SITE.match(args.site):
        parser.error("--site takes a site's id, such as the build's SITE_ID")
    outputs = [args.example, args.github_issue, args.notify, args.notify_file, args.history]
    if any(outputs) or args.summary or args.github_output or args.format != "text":
        parser.error("--deploy-gate prints its decision alone: it takes no other output")
