"""Readings kept over time, which Netlify does not keep: one line of JSON for each team's figure.

`python3 app.py --history FILE` appends a reading for each team it checked, so that a daily cron
job builds the day-by-day record, and says how usage moved since the team's previous reading in
the same billing period. A reading holds the team's slug, when it was checked and when Netlify
made the figure, the bytes used and the period; on a credit plan, each counted meter's count
when it was all counted (under its key in the cost table) and Netlify's own count of the
credits when it gave one; and the share that counts, and whether Netlify reports the team over,
so that a team already over at its previous reading is not announced again. Never the token,
nor anything else of the account.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeGuard

from checker.figures import credits
from checker.figures.amounts import iso
from checker.figures.team import team_model
from checker.netlify.api import MAX_BYTES, SLUG
from checker.netlify.report import TeamReport


@dataclass(frozen=True)
class Reading:
    slug: str
    checked_at: datetime
    updated_at: datetime | None  # when Netlify made the figure, as it said
    used: int
    period_start: datetime | None
    period_end: datetime | None
    # A credit team's counted meters in the period (checker/figures/credits.py), under their
    # keys, each only when it was all counted: production deploys, under "deploys".
    counts: Mapping[str, int] = field(default_factory=dict)
    # Netlify's own count of a credit team's credits spent, when it gave one above 0.
    credits: int | None = None
    # The share that counts, in percent (checker/figures/team.py), and Netlify's own word
    # that the team is over: what a threshold is measured against, so that a team already over
    # at its previous reading is not announced again.
    share: float | None = None
    netlify_over: bool = False

    def reached(self, threshold: float) -> bool:
        return self.netlify_over or (self.share is not None and self.share >= threshold)

    def line(self) -> str:
        return json.dumps(
            {
                "slug": self.slug,
                "checked_at": self.checked_at.isoformat(),
                "updated_at": iso(self.updated_at),
                "used": self.used,
                "period_start": iso(self.period_start),
                "period_end": iso(self.period_end),
                **self.counts,
                **({} if self.credits is None else {"credits": self.credits}),
                **({} if self.share is None else {"share": self.share}),
                **({"netlify_over": True} if self.netlify_over else {}),
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
    where = team_model(report, now)
    share = where.share
    return Reading(
        report.account.slug,
        now,
        bandwidth.updated_at,
        bandwidth.used,
        bandwidth.period_start,
        bandwidth.period_end,
        # Only a whole count: a lower bound would make the next reading's change look larger.
        {key: counted.count for key, counted in report.counts.items() if counted.complete},
        report.account.netlify_credits if report.plan == "credit" else None,
        # JSON has no infinity: all of nothing is written as a share no threshold is above.
        None if share is None else round(min(share * 100, MAX_SHARE), 2),
        where.netlify_over,
    )


MAX_SHARE = 1_000_000.0
# A reading is a few hundred characters; a longer line is not one, and is not parsed at all.
MAX_LINE = 2000


def read_lines(lines: Iterable[str]) -> list[Reading]:
    """Every reading a file holds. A line that is not one is skipped, whatever it holds: edited
    by hand, cut short, or made to break a reader (a number JSON cannot hold, nesting a parser
    gives up on, a time without a UTC offset that could not be compared)."""
    readings = []
    for line in lines:
        if not isinstance(line, str) or len(line) > MAX_LINE:
            continue
        try:
            fields = json.loads(line, parse_constant=_refuse)
        except (ValueError, RecursionError):
            continue
        kept = _reading(fields) if isinstance(fields, dict) else None
        if kept is not None:
            readings.append(kept)
    return readings


def _reading(fields: dict[str, object]) -> Reading | None:
    slug, used, checked_at = fields.get("slug"), fields.get("used"), _when(fields.get("checked_at"))
    if not (isinstance(slug, str) and SLUG.match(slug) and checked_at):
        return None
    if isinstance(used, bool) or not isinstance(used, int) or not 0 <= used <= MAX_BYTES:
        return None
    times = [fields.get(name) for name in ("updated_at", "period_start", "period_end")]
    when = [_when(text) for text in times]
    if any(text is not None and moment is None for text, moment in zip(times, when, strict=True)):
        return None
    counts = {meter.key: fields.get(meter.key) for meter in credits.COUNTED}
    netlify = fields.get("credits")
    share, over = fields.get("share"), fields.get("netlify_over", False)
    if not (all(map(_optional_count, [*counts.values(), netlify])) and isinstance(over, bool)):
        return None
    if share is not None and (
        isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= MAX_SHARE
    ):
        return None
    whole = {key: count for key, count in counts.items() if isinstance(count, int)}
    return Reading(slug, checked_at, when[0], used, when[1], when[2], whole, netlify, share, over)


def _optional_count(value: object) -> TypeGuard[int | None]:
    return value is None or (
        isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_BYTES
    )


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} is no reading's number")


def earlier(readings: Sequence[Reading], current: Reading) -> list[Reading]:
    """The team's earlier readings in the same billing period, oldest first."""
    found = [
        kept
        for kept in readings
        if kept.slug == current.slug
        and kept.period_start == current.period_start
        and kept.when < current.when
    ]
    return sorted(found, key=lambda kept: kept.when)


def previous(readings: Sequence[Reading], current: Reading) -> Reading | None:
    """The team's latest earlier reading in the same billing period, if there is one."""
    return (earlier(readings, current) or [None])[-1]


def _when(text: object) -> datetime | None:
    """A moment with its UTC offset; None for anything else."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# How much a device keeps: this period's readings and the last one's, a few hundred a team.
KEEP_PERIODS = 2
KEEP_PER_TEAM = 300


def kept_with(
    readings: Sequence[Reading], reports: Sequence[TeamReport], now: datetime
) -> list[Reading]:
    """`readings` with each checked team's new one, cut to what a device keeps: per team, its
    last KEEP_PERIODS periods and its latest KEEP_PER_TEAM readings. A figure Netlify has not
    updated since the last reading adds nothing."""
    seen = {(kept.slug, kept.when, kept.used) for kept in readings}
    fresh = [new for new in (reading(report, now) for report in reports) if new is not None]
    every = [*readings, *(new for new in fresh if (new.slug, new.when, new.used) not in seen)]
    kept: list[Reading] = []
    for slug in dict.fromkeys(each.slug for each in every):
        team = sorted((each for each in every if each.slug == slug), key=lambda each: each.when)
        periods = sorted({each.period_start for each in team}, key=_order)[-KEEP_PERIODS:]
        kept += [each for each in team if each.period_start in periods][-KEEP_PER_TEAM:]
    return kept


def last_period(readings: Sequence[Reading], current: Reading) -> Reading | None:
    """The team's latest reading of an earlier billing period: what that period came to."""
    start = current.period_start
    if start is None:
        return None
    before = [
        kept
        for kept in readings
        if kept.slug == current.slug and kept.period_end is not None and kept.period_end <= start
    ]
    return max(before, key=lambda kept: kept.when, default=None)


def _order(start: datetime | None) -> float:
    return float("-inf") if start is None else start.timestamp()
