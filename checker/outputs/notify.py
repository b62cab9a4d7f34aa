"""Notifications where people already talk (Slack, Discord, ntfy, e-mail, Teams, Telegram, any
webhook and a hundred more), through Apprise and its one URL syntax: `--notify URL` and the
`NETLIFY_NOTIFY` environment variable. Apprise is the optional extra `notify`: the checker
itself needs nothing but Python, and imports it only when a notification is to be sent.

A notification address carries its secret (a webhook's token, a password), so none is ever
printed, not in an error either: a target is named by its place and its scheme alone ("the 2nd
--notify target, slack://…"). What is sent is plain text, for every service: a title, and one
line for each team at or over the threshold and each team that could not be judged, in the
card's words, each text from Netlify capped, stripped of control characters, and with every
mention and link broken (`plain()`). Every target is sent to at once, with one deadline for all.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checker.figures.amounts import format_percent
from checker.figures.history import Reading
from checker.figures.team import Verdict, team_model
from checker.netlify.report import TeamReport
from checker.outputs.terminal import terminal_text
from checker.view.words import headline

ENVIRONMENT = "NETLIFY_NOTIFY"
INSTALL = (
    "notifications need Apprise, the checker's `notify` extra: install it with "
    "pipx install 'netlify-bandwidth-checker[notify]' (or: uv tool install "
    "netlify-bandwidth-checker --with apprise)"
)
NAME_CAP = 100
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,19}(?=://)")
# Apprise logs a refused request as "… error=404." (its HTTP status).
_STATUS = re.compile(r"error=(\d{3})\b")


def available() -> bool:
    return importlib.util.find_spec("apprise") is not None


@dataclass(frozen=True)
class Target:
    """A notification address, and where it was given ("the 2nd --notify target")."""

    url: str
    where: str

    @property
    def name(self) -> str:
        """As it may be printed: its place and its scheme, never the rest of its address."""
        found = _SCHEME.match(self.url.strip())
        scheme = f"{found.group(0).lower()}://…" if found else "an address without a scheme"
        return f"{self.where}, {scheme}"


def targets(
    given: Sequence[str], environment: Mapping[str, str], listed: str = "", file: str = ""
) -> list[Target]:
    """The notification addresses of --notify, then those NETLIFY_NOTIFY holds (space-separated),
    then those of the --notify-file `file` (its text `listed`: one a line, # for a comment)."""
    lines = (line.strip() for line in listed.splitlines())
    sources = [
        ("--notify target", list(given)),
        (f"address in {ENVIRONMENT}", environment.get(ENVIRONMENT, "").split()),
        (f"address in {file}", [line for line in lines if line and not line.startswith("#")]),
    ]
    return [
        Target(url, f"the {_ordinal(place)} {where}")
        for where, urls in sources
        for place, url in enumerate(urls, start=1)
    ]


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# What a chat service reads as a mention, a ping or a link: "@everyone", Discord's "<@&role>",
# Slack's "<!channel>" and "<https://…|text>" (and "&lt;!here&gt;", which Apprise turns back
# into one), Telegram's "<a href=…>", a scheme's "://" and a domain's dot ("evil.example", which
# Slack and Telegram link by themselves). Each is broken up with an invisible word joiner.
_LIVE = re.compile(r"[@<&]|:(?=//)|(?<=\w)\.(?=[^\W\d_])")
_JOINER = "\u2060"


def plain(text: str, cap: int | None = None) -> str:
    """Text from Netlify as a notification carries it: one line, no control character, and
    nothing a chat service would take for a mention or a link. Every text from Netlify in a
    notification passes here, and nowhere else."""
    text = terminal_text(" ".join(text.split()))
    text = text if cap is None or len(text) <= cap else text[: cap - 1] + "\u2026"
    return _LIVE.sub(lambda found: found.group(0) + _JOINER, text)


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def message(
    judged: Sequence[tuple[TeamReport, Verdict]],
    threshold: float,
    now: datetime,
    units: str,
    *,
    before: Callable[[TeamReport], Reading | None] | None = None,
    issue: str | None = None,
) -> Message | None:
    """What to send this run, if anything. With the alert issue on (`issue`, what sync() did):
    when it opens and when it closes. Else with readings kept (`before` gives a team's previous
    one in the same period): a team already over then is not announced again, and one message
    says when every team is back under. Without either there is no memory: every run that finds
    a team over, or one that cannot be judged, sends."""
    reached = [report for report, said in judged if said == "reached"]
    unknown = [report for report, said in judged if said == "unknown"]
    if issue is not None:
        if issue == "opened":
            return _alert(reached, unknown, threshold, now, units)
        return _recovered(threshold) if issue == "closed" else None
    if before is None:
        return _alert(reached, unknown, threshold, now, units) if reached or unknown else None
    previous = {id(report): before(report) for report, _ in judged}

    def was_over(report: TeamReport) -> bool:
        earlier = previous[id(report)]
        return earlier is not None and earlier.reached(threshold)

    fresh = [report for report in reached if not was_over(report)]
    if fresh or unknown:
        return _alert(fresh, unknown, threshold, now, units)
    if not reached and any(was_over(report) for report, _ in judged):
        return _recovered(threshold)
    return None


def _alert(
    reached: Sequence[TeamReport],
    unknown: Sequence[TeamReport],
    threshold: float,
    now: datetime,
    units: str,
) -> Message:
    lines = []
    for report in reached:
        model = team_model(report, now)
        said = "" if model.usage is None else headline(model, model.usage.worded(units))
        words = f"{said['strong']}{said['rest']}" if said else ""
        lines.append(f"{plain(report.account.name, NAME_CAP)}: {plain(words)}.")
    for report in unknown:
        why = team_model(report, now).unknown or ""
        lines.append(
            f"{plain(report.account.name, NAME_CAP)}: not known whether it reached "
            f"{threshold:g} %: {plain(why)}"
        )
    if len(reached) == 1:
        title = _one(reached[0], now)
    elif reached:
        title = f"Netlify: {len(reached)} teams at or over {threshold:g} %"
    else:
        title = f"Netlify: {len(unknown)} team(s) could not be checked against {threshold:g} %"
    return Message(title, "\n".join(lines))


def _one(report: TeamReport, now: datetime) -> str:
    name, where = plain(report.account.name, NAME_CAP), team_model(report, now)
    if where.netlify_over:
        return f"Netlify: {name} is over its credits, Netlify reports"
    what = "month's credits" if report.plan == "credit" else "bandwidth allowance"
    share = where.share
    used = "all" if share is None or share == float("inf") else format_percent(share)
    return f"Netlify: {name} has used {used} of its {what}"


def _recovered(threshold: float) -> Message:
    return Message(
        f"Netlify: every team is back under {threshold:g} %",
        f"Every team checked is under {threshold:g} % again.",
    )


# How long every target together has to take a message: a target that never answers, or
# answers a byte at a time (Apprise's own timeout bounds each read, not the whole), is given up
# on, and its thread, a daemon, cannot hold the process's exit.
DEADLINE_SECONDS = 20


def send(addresses: Sequence[Target], message: Message) -> list[str]:
    """Sends `message` to every address at once, as plain text; the sentence for each one that
    failed or did not answer in time."""
    import apprise  # here, not at the top: the extra is optional, and the browser never sends

    outcomes: dict[int, tuple[str, list[str]]] = {}
    with _silenced():
        threads = {}
        for place, target in enumerate(addresses):
            args = (apprise, target.url, message, place, outcomes)
            threads[place] = threading.Thread(target=_send_one, args=args, daemon=True)
            threads[place].start()
        due = time.monotonic() + DEADLINE_SECONDS
        for thread in threads.values():
            thread.join(max(0.0, due - time.monotonic()))
        done = dict(outcomes)  # a late one may still write; it counts as late
    failures = []
    for place, target in enumerate(addresses):
        outcome, logged = done.get(place, ("late", []))
        if outcome == "late":
            failures.append(
                f"{target.name}, did not take the message within {DEADLINE_SECONDS} seconds"
            )
        elif outcome == "unknown":
            # Not even its scheme: an address Apprise does not know may be a secret mistyped.
            failures.append(f"{target.where} is not an address Apprise can send to")
        elif outcome == "failed":
            status = next((found.group(1) for r in logged if (found := _STATUS.search(r))), None)
            why = f"was refused: HTTP {status}" if status else "could not be reached"
            failures.append(f"{target.name}, {why}")
    return failures


def _send_one(
    apprise: Any, url: str, message: Message, place: int, outcomes: dict[int, tuple[str, list[str]]]
) -> None:
    """One target, in a thread of its own: its outcome and Apprise's log of it, by its place.
    The log may hold the address: only an HTTP status is ever taken from it."""
    # Sent here, in this thread, not from Apprise's own pool: a worker of that pool still
    # reading from a target at the deadline would hold the process's exit until it ends.
    asset = apprise.AppriseAsset(service_timeout=0, async_mode=False)
    notifier = apprise.Apprise(asset=asset)
    if not notifier.add(url):
        outcomes[place] = ("unknown", [])
        return
    # Plain text for every service: none reads the team names as its own markup.
    result = notifier.notify(
        title=message.title, body=message.body, body_format=apprise.NotifyFormat.TEXT
    )
    logged = [entry.message for entry in result.logs()]
    outcomes[place] = ("sent" if result else "failed", logged)


@contextmanager
def _silenced() -> Iterator[None]:
    """Apprise's log kept off stderr while sending: its lines may hold an address."""
    logger = logging.getLogger("apprise")
    handler, propagate = logging.NullHandler(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
