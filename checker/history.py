"""Readings kept over time, which Netlify does not keep: one line of JSON for each team's figure.

`python3 app.py --history FILE` appends a reading for each team it checked, so that a daily cron
job builds the day-by-day record, and says how usage moved since the team's previous reading in
the same billing period. A reading holds the team's slug, when Netlify made the figure, the bytes
used and the period: never the token, nor anything else of the account.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from checker.check import TeamReport


@dataclass(frozen=True)
class Reading:
    slug: str
    checked_at: datetime
    updated_at: datetime | None  # when Netlify made the figure, as it said
    used: int
    period_start: datetime | None
    period_end: datetime | None

    def line(self) -> str:
        return json.dumps(
            {
                "slug": self.slug,
                "checked_at": self.checked_at.isoformat(),
                "updated_at": _iso(self.updated_at),
                "used": self.used,
                "period_start": _iso(self.period_start),
                "period_end": _iso(self.period_end),
            }
        )

    @property
    def when(self) -> datetime:
        return self.updated_at or self.checked_at


def reading(report: TeamReport, now: datetime) -> Reading | None:
    """The reading a checked team makes; None for a team that could not be checked."""
    bandwidth = report.bandwidth
    if bandwidth is None:
        return None
    return Reading(
        report.account.slug,
        now,
        bandwidth.updated_at,
        bandwidth.used,
        bandwidth.period_start,
        bandwidth.period_end,
    )


def read_lines(lines: Iterable[str]) -> list[Reading]:
    """Every reading a file holds; a line that is not one (edited by hand, cut short) is skipped."""
    readings = []
    for line in lines:
        try:
            fields = json.loads(line)
            readings.append(
                Reading(
                    str(fields["slug"]),
                    datetime.fromisoformat(fields["checked_at"]),
                    _when(fields.get("updated_at")),
                    int(fields["used"]),
                    _when(fields.get("period_start")),
                    _when(fields.get("period_end")),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    return readings


def previous(readings: list[Reading], current: Reading) -> Reading | None:
    """The team's latest earlier reading in the same billing period, if there is one."""
    earlier = [
        kept
        for kept in readings
        if kept.slug == current.slug
        and kept.period_start == current.period_start
        and kept.when < current.when
    ]
    return max(earlier, key=lambda kept: kept.when, default=None)


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _when(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None
