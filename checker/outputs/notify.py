"""Notifications where people already talk (Slack, Discord, ntfy, e-mail, Teams, Telegram, any
webhook and a hundred more), through Apprise and its one URL syntax: `--notify URL` and the
`NETLIFY_NOTIFY` environment variable. Apprise is the optional extra `notify`: the checker
itself needs nothing but Python, and imports it only when a notification is to be sent.

A notification address carries its secret (a webhook's token, a password), so none is ever
printed, not in an error either: a target is named by its place and its scheme alone ("the 2nd
--notify target, slack://…"). What is sent is plain text: a title, and one line for each team
at or over the threshold and each team that could not be judged, in the card's words, each name
capped and stripped of control characters.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

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


def targets(given: Sequence[str], environment: Mapping[str, str]) -> list[str]:
    """The notification addresses of --notify, then those NETLIFY_NOTIFY holds (space-separated)."""
    return [*given, *environment.get(ENVIRONMENT, "").split()]


def named(place: int, url: str, *, from_option: bool) -> str:
    """A target as it may be printed: its place and its scheme, never the rest of its address."""
    found = _SCHEME.match(url.strip())
    scheme = f"{found.group(0).lower()}://…" if found else "an address without a scheme"
    where = "--notify target" if from_option else f"address in {ENVIRONMENT}"
    return f"the {_ordinal(place)} {where}, {scheme}"


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def plain(text: str, cap: int | None = None) -> str:
    """Text from Netlify as a notification carries it: one line, no control character."""
    text = terminal_text(" ".join(text.split()))
    return text if cap is None or len(text) <= cap else text[: cap - 1] + "\u2026"


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


def send(urls: Sequence[str], message: Message, given: int) -> list[str]:
    """Sends `message` to each address; the sentence for each one that failed. The first
    `given` addresses came from --notify, the rest from the environment."""
    import apprise  # here, not at the top: the extra is optional, and the browser never sends

    failures = []
    for place, url in enumerate(urls, start=1):
        from_option = place <= given
        name = named(place if from_option else place - given, url, from_option=from_option)
        with _captured() as said:
            notifier = apprise.Apprise()
            if not notifier.add(url):
                failures.append(f"{name}, is not an address Apprise can send to")
                continue
            sent = notifier.notify(title=message.title, body=message.body)
        if not sent:
            status = next((found.group(1) for r in said if (found := _STATUS.search(r))), None)
            why = f"was refused: HTTP {status}" if status else "could not be reached"
            failures.append(f"{name}, {why}")
    return failures


@contextmanager
def _captured() -> Iterator[list[str]]:
    """Apprise's log while sending, kept here: it would print to stderr, and its lines may hold
    an address. Only an HTTP status is ever taken from it."""
    said: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    logger = logging.getLogger("apprise")
    handler, propagate = Keep(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield said
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
