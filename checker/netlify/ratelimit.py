"""When Netlify's rate limit says to come back, read from whichever of its headers arrived.

Netlify's own clients read X-RateLimit-Reset as unix seconds, while recorded answers send it, and
Retry-After, as "2024-06-12 09:53:37 UTC"; every form is read, and any that cannot be (or that
lies days away) counts as none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from checker.netlify.numerals import ascii_digits

# The longest wait believed; Netlify's window is a minute.
MAX_CREDIBLE_WAIT = timedelta(days=1)
_NETLIFY_TIME = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")
# An HTTP date (RFC 9110, section 5.6.7): IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", which
# servers send, and the two obsolete forms a recipient is to accept, RFC 850's
# "Sunday, 06-Nov-94 08:49:37 GMT" and asctime's "Sun Nov  6 08:49:37 1994". Patterns of its own:
# email.utils, which reads them too, would ship three more modules to the browser.
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_MONTH = "(" + "|".join(_MONTHS) + ")"
_TIME = r"(\d\d):(\d\d):(\d\d)"
_HTTP_DATES = (
    # Each pattern, and which of its groups hold the year, month, day, hour, minute and second.
    (
        re.compile(rf"[A-Z][a-z]{{2}}, (\d\d) {_MONTH} (\d{{4}}) {_TIME} GMT", re.A),
        (3, 2, 1, 4, 5, 6),
    ),
    (
        re.compile(rf"[A-Z][a-z]{{5,8}}, (\d\d)-{_MONTH}-(\d\d) {_TIME} GMT", re.A),
        (3, 2, 1, 4, 5, 6),
    ),
    (
        re.compile(rf"[A-Z][a-z]{{2}} {_MONTH} ([ \d]\d) {_TIME} (\d{{4}})", re.A),
        (6, 1, 2, 3, 4, 5),
    ),
)


def message(retry_at: datetime | None, now: datetime) -> str:
    if retry_at is None:
        return "Netlify's rate limit was reached. Wait a minute, then try again."
    seconds = max(1, round((retry_at - now).total_seconds()))
    wait = f"{seconds} seconds" if seconds < 120 else f"{round(seconds / 60)} minutes"
    return f"Netlify's rate limit was reached. Try again in {wait}."


def waiting(number: int, of: int) -> str:
    """What a check says while it waits for the reset: `{seconds}` is filled in, and counts
    down on the page."""
    again = f"Asking again in {{seconds}} s (wait {number} of {of})…"
    return f"Netlify's rate limit was reached. {again}"


def retry_time(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """When Netlify says to come back, from whichever of its headers the browser let through.

    Netlify's own clients read X-RateLimit-Reset as unix seconds, while recorded answers send
    it, and Retry-After, as "2024-06-12 09:53:37 UTC"; both forms are read. The wait is measured
    against the answer's Date where there is one, so a wrong local clock neither stretches nor
    shortens it.
    """
    reset = headers.get("x-ratelimit-reset", "").strip()
    after = headers.get("retry-after", "").strip()
    if ascii_digits(after, most=9):
        wait = timedelta(seconds=int(after))
    else:
        at = _moment(reset, unix=True) or _moment(after, unix=False)
        if at is None:
            return None
        sent = _moment(headers.get("date", "").strip(), unix=False)
        wait = at - (sent or now)
    # Netlify's window is a minute long: a wait (or a reset gone by) of days comes from a header
    # or a clock gone wrong, and counts as no header at all, never as a date to compute with.
    return now + wait if abs(wait) <= MAX_CREDIBLE_WAIT else None


def _moment(text: str, *, unix: bool) -> datetime | None:
    """A point in time as Netlify writes one: unix seconds, its own form, or an HTTP date."""
    if not text:
        return None
    if ascii_digits(text):
        if not unix or len(text) > 12:
            return None
        try:
            return datetime.fromtimestamp(int(text), UTC)
        except (ValueError, OverflowError, OSError):
            return None  # past the years a datetime can hold
    # A pattern, not strptime, which would ship another two modules to the browser.
    netlify_style = _NETLIFY_TIME.fullmatch(text)
    if netlify_style:
        try:
            return datetime.fromisoformat(netlify_style.group(1)).replace(tzinfo=UTC)
        except ValueError:
            return None
    return _http_date(text)


def _http_date(text: str) -> datetime | None:
    for pattern, places in _HTTP_DATES:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        year, month, day, hour, minute, second = (found.group(place) for place in places)
        years = int(year)
        if len(year) == 2:  # RFC 850's two digits: 70 to 99 in the 1900s, the rest in the 2000s
            years += 1900 if years >= 70 else 2000
        try:
            return datetime(
                years,
                _MONTHS.index(month) + 1,
                int(day),
                int(hour),
                int(minute),
                int(second),
                tzinfo=UTC,
            )
        except ValueError:
            return None  # a day or an hour that does not exist
    return None


# Netlify's own clients wait for its rate limit to reset and ask again; so does a check, on the
# page and the command line alike, within these bounds. Beyond them it ends with a sentence that
# says when to try again.
RATE_LIMIT_WAITS = 3
RATE_LIMIT_MAX_WAIT = timedelta(seconds=90)
# When the reset cannot be read (a browser may not be let see the header): Netlify's window.
RATE_LIMIT_UNKNOWN_WAIT = timedelta(seconds=60)


@dataclass(frozen=True)
class Pause:
    """The check waits for Netlify's rate limit to reset before it sends anything more."""

    until: datetime
    number: int  # this check's first wait is 1, of RATE_LIMIT_WAITS
    # Whether Netlify said when (a reset header the transport could read).
    known: bool
