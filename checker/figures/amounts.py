"""Bytes, shares, dates and pace as a person reads them: the arithmetic behind every figure shown.

`pace()` is the one place where a figure is measured against the billing period: how much of
it has gone, where the figure ends at this pace, and when it reaches a level (an allowance or a
month's credits). The cards, the chart, the `--json` document and `--fail-over` all read it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from checker.netlify.api import Bandwidth

UNIT_SYSTEMS: dict[str, tuple[int, tuple[str, ...]]] = {
    # Netlify's dashboard says "100GB" for 107374182400 bytes: it counts in binary units.
    "binary": (1024, ("B", "KiB", "MiB", "GiB", "TiB", "PiB")),
    "decimal": (1000, ("B", "kB", "MB", "GB", "TB", "PB")),
}

# Before this share of the period has passed, a projection is mostly noise.
MIN_ELAPSED_FOR_PACE = 0.03
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_bytes(count: int, units: str = "binary") -> str:
    """Three significant digits in the largest unit that keeps the figure at 1 or more."""
    base, names = UNIT_SYSTEMS[units]
    if count < base:
        return f"{count} B"
    exponent = min(int(math.log(count, base)), len(names) - 1)
    # log() can land a hair off at exact powers; settle it with integers.
    while exponent > 0 and count < base**exponent:
        exponent -= 1
    while exponent < len(names) - 1 and count >= base ** (exponent + 1):
        exponent += 1
    text = _three_digits(count / base**exponent)
    if float(text) >= base and exponent < len(names) - 1:
        # 1023.9 MiB would round to "1024 MiB"; a person expects "1 GiB".
        exponent += 1
        text = _three_digits(count / base**exponent)
    return f"{text} {names[exponent]}"


def _three_digits(value: float) -> str:
    decimals = 2 if value < 10 else 1 if value < 100 else 0
    return _trim(f"{value:.{decimals}f}")


def format_percent(share: float) -> str:
    percent = share * 100
    if 0 < percent < 0.1:
        return "<0.1 %"
    text = f"{percent:.1f}" if percent < 100 else f"{percent:.0f}"
    return f"{_trim(text)} %"


def _trim(text: str) -> str:
    """Drop a fraction's trailing zeros: "25.30" reads "25.3", "100.0" reads "100"."""
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Usage:
    """Everything derived from one bandwidth answer at one moment."""

    used: int
    included: int
    additional: int
    available: int
    remaining: int
    over: int
    # used / available; None when the plan includes nothing to divide by.
    share: float | None
    # Share of the billing period gone by, and where usage ends at the present pace.
    elapsed: float | None
    days_left: int | None
    projected: int | None

    def worded(self, units: str) -> dict[str, str]:
        """Every figure counted in bytes, as a person reads it in `units`."""
        return {k: format_bytes(v, units) for k, v in self.amounts().items() if v is not None}

    def amounts(self) -> dict[str, int | None]:
        """Every figure counted in bytes, by name."""
        return {
            "used": self.used,
            "included": self.included,
            "additional": self.additional,
            "available": self.available,
            "remaining": self.remaining,
            "over": self.over,
            "projected": self.projected,
        }

    @property
    def on_course_to_run_over(self) -> bool:
        return (
            self.over == 0
            and self.projected is not None
            and self.available > 0
            and self.projected > self.available
        )


def usage(bandwidth: Bandwidth, now: datetime) -> Usage:
    available = bandwidth.available
    used = bandwidth.used
    course = pace(used, available, bandwidth.period_start, bandwidth.period_end, now)
    return Usage(
        used=used,
        included=bandwidth.included or 0,
        additional=bandwidth.additional,
        available=available,
        remaining=max(0, available - used),
        over=max(0, used - available),
        share=course.share,
        elapsed=course.elapsed,
        days_left=days_left(bandwidth.period_end, now),
        projected=None if course.projected is None else round(course.projected),
    )


def days_left(end: datetime | None, now: datetime) -> int | None:
    """Whole days, rounded up, until `end`: a period ending tomorrow morning has 1 left."""
    if end is None:
        return None
    return max(0, math.ceil((end - now).total_seconds() / 86400))


@dataclass(frozen=True)
class Pace:
    """An amount at one moment of the billing period, against the level it is to stay under."""

    # amount / level; None without a level above zero.
    share: float | None
    # The share of the period gone by, from 0 to 1; None without a period.
    elapsed: float | None
    # The amount by the period's end at this pace; None without a period, or too early on.
    projected: float | None
    # Where, at this pace, the amount reaches the level, if that comes before the period ends:
    # as a share of the period, and as a moment.
    crosses_at: float | None
    crossing: datetime | None


def pace(
    amount: float,
    level: float | None,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> Pace:
    share = amount / level if level and level > 0 else None
    if start is None or end is None or end <= start:
        return Pace(share, None, None, None, None)
    elapsed = min(1.0, max(0.0, (now - start) / (end - start)))
    if elapsed < MIN_ELAPSED_FOR_PACE:
        return Pace(share, elapsed, None, None, None)
    projected = amount / elapsed if elapsed < 1 else amount
    if level is None or not 0 < amount < level < projected:
        return Pace(share, elapsed, projected, None, None)
    # At this pace the amount reaches the level at this share of the period.
    at = elapsed * level / amount
    return Pace(share, elapsed, projected, at, start + (end - start) * at)


def iso(when: datetime | None) -> str | None:
    """A moment as the JSON outputs and the readings kept write it: ISO 8601, its offset kept."""
    return None if when is None else when.isoformat()


def date_text(when: datetime | date) -> str:
    # The date as Netlify gave it, in its own offset: a period ends on the same day for everyone.
    return f"{short_date(when)} {when.year}"


def short_date(when: datetime | date) -> str:
    return f"{when.day} {MONTHS[when.month - 1]}"


def ago(when: datetime, now: datetime) -> str:
    minutes = max(0, round((now - when).total_seconds() / 60))
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = round(minutes / 60)
    return f"{hours} hours ago" if hours < 48 else f"{round(hours / 24)} days ago"
