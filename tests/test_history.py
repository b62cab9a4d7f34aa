"""Readings kept by `--history`: read back whatever the file holds, and the right one compared."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from checker.history import Reading, previous, read_lines

START = datetime(2026, 11, 11, 8, tzinfo=UTC)
LATER = START + timedelta(days=30)


def at(day: int, used: int, slug: str = "acme", start: datetime = START) -> Reading:
    when = START + timedelta(days=day)
    return Reading(
        slug, when, when - timedelta(minutes=12), used, start, start + timedelta(days=30)
    )


def test_a_reading_reads_back_as_it_was_written() -> None:
    reading = at(3, 5 * 2**30)
    assert read_lines([reading.line()]) == [reading]
    assert set(json.loads(reading.line())) == {
        "slug",
        "checked_at",
        "updated_at",
        "used",
        "period_start",
        "period_end",
    }


def test_lines_that_are_no_reading_are_skipped() -> None:
    good = at(1, 10).line()
    lines = ["", "not json", "[]", '{"slug": "acme"}', '{"slug": "a", "checked_at": 5, "used": 1}']
    assert read_lines([*lines, good, good[: len(good) // 2]]) == [at(1, 10)]


def test_the_latest_earlier_reading_of_the_same_team_and_period_is_the_one_compared() -> None:
    kept = [at(1, 10), at(3, 30), at(2, 20), at(3, 99, slug="other"), at(-30, 5, start=LATER)]
    assert previous(kept, at(4, 40)) == at(3, 30)
    # A reading of the same figure is no earlier reading; nor is one of another period.
    assert previous([at(4, 40)], at(4, 40)) is None
    assert previous(kept, at(4, 40, start=LATER)) == at(-30, 5, start=LATER)
    assert previous(kept, at(4, 40, start=LATER + timedelta(days=30))) is None
    assert previous([], at(4, 40)) is None
