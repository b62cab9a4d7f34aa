"""Bytes, shares and pace as a person reads them: the arithmetic behind every figure shown."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from checker.api import Bandwidth

UNIT_SYSTEMS: dict[str, tuple[int, tuple[str, ...]]] = {
    # Netlify's dashboard says "100GB" for 107374182400 bytes: it counts in binary units.
    "binary": (1024, ("B", "KiB", "MiB", "GiB", "TiB", "PiB")),
    "decimal": (1000, ("B", "kB", "MB", "GB", "TB", "PB")),
}

# Before this share of the period has passed, a projection is mostly noise.
MIN_ELAPSED_FOR_PACE = 0.03


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
    elapsed = elapsed_share(bandwidth, now)
    projected = None
    if elapsed is not None and elapsed >= MIN_ELAPSED_FOR_PACE:
        projected = round(used / elapsed) if elapsed < 1 else used
    days_left = None
    if bandwidth.period_end is not None:
        seconds = (bandwidth.period_end - now).total_seconds()
        days_left = max(0, math.ceil(seconds / 86400))
    return Usage(
        used=used,
        included=bandwidth.included or 0,
        additional=bandwidth.additional,
        available=available,
        remaining=max(0, available - used),
        over=max(0, used - available),
        share=used / available if available > 0 else None,
        elapsed=elapsed,
        days_left=days_left,
        projected=projected,
    )


def elapsed_share(bandwidth: Bandwidth, now: datetime) -> float | None:
    """The share of the billing period gone by at `now`, from 0 to 1; None without a period."""
    start, end = bandwidth.period_start, bandwidth.period_end
    if start is None or end is None or end <= start:
        return None
    share = (now - start) / (end - start)
    return min(1.0, max(0.0, share))
