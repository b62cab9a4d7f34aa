"""Readings kept by `--history`: read back whatever the file holds, and the right one compared."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from checker.figures.history import (
    KEEP_PER_TEAM,
    Reading,
    kept_with,
    last_period,
    previous,
    read_lines,
)
from checker.netlify import api
from checker.netlify.report import TeamReport
from checker.view.card import team_view
from tests.answers import counted

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


def hostile_lines() -> list[str]:
    """Lines that once broke --history and the page's kept readings (the second security review,
    finding 4): each must be skipped like any other line that is no reading."""
    good = json.loads(at(1, 10).line())
    return [
        json.dumps(good).replace('"used": 10', '"used": Infinity'),
        json.dumps(good).replace('"used": 10', '"used": NaN'),
        "[" * 200_000 + "]" * 200_000,
        json.dumps({**good, "checked_at": "2026-11-12T08:00:00"}),  # no UTC offset
        json.dumps({**good, "period_start": "2026-11-11T00:00:00"}),
        json.dumps(good).replace('"used": 10', '"used": ' + "9" * 400),
        json.dumps({**good, "used": True}),
        json.dumps({**good, "slug": "../../etc"}),
        json.dumps({**good, "checked_at": "2" * 5000}),
    ]


def test_a_line_made_to_break_a_reader_is_skipped() -> None:
    kept = read_lines([*hostile_lines(), at(2, 20).line()])
    assert kept == [at(2, 20)]
    # What is kept can be compared and drawn: every time is aware, every count an exact int.
    assert previous(kept, at(3, 30)) == at(2, 20)


def test_the_latest_earlier_reading_of_the_same_team_and_period_is_the_one_compared() -> None:
    kept = [at(1, 10), at(3, 30), at(2, 20), at(3, 99, slug="other"), at(-30, 5, start=LATER)]
    assert previous(kept, at(4, 40)) == at(3, 30)
    # A reading of the same figure is no earlier reading; nor is one of another period.
    assert previous([at(4, 40)], at(4, 40)) is None
    assert previous(kept, at(4, 40, start=LATER)) == at(-30, 5, start=LATER)
    assert previous(kept, at(4, 40, start=LATER + timedelta(days=30))) is None
    assert previous([], at(4, 40)) is None


def checked(slug: str, used: int, period_start: datetime, now: datetime) -> TeamReport:
    figures = api.Bandwidth(
        used, 100 * 2**30, 0, period_start, period_start + timedelta(days=30), now
    )
    return TeamReport(api.Account(slug, slug, "Pro", {}), figures)


def test_a_device_keeps_two_periods_and_a_few_hundred_readings_a_team() -> None:
    three_periods = [
        at(day, day, start=start)
        for start in (START - timedelta(days=30), START, LATER)
        for day in range(0, 10)
    ]
    busy = [at(day / 100, day, slug="busy") for day in range(KEEP_PER_TEAM + 50)]
    now = LATER + timedelta(days=11)
    kept = kept_with(three_periods + busy, [checked("acme", 999, LATER, now)], now)
    acme = [reading for reading in kept if reading.slug == "acme"]
    assert {reading.period_start for reading in acme} == {START, LATER}
    assert acme[-1].used == 999  # this check's reading, the latest
    busy_kept = [reading for reading in kept if reading.slug == "busy"]
    assert len(busy_kept) == KEEP_PER_TEAM and busy_kept[-1].used == KEEP_PER_TEAM + 49


def test_a_figure_netlify_has_not_updated_adds_no_reading() -> None:
    now = START + timedelta(days=3)
    report = checked("acme", 5, START, now)
    once = kept_with([], [report], now)
    assert kept_with(once, [report], now + timedelta(hours=1)) == once


def test_the_last_period_is_what_its_latest_reading_says() -> None:
    current = at(3, 40, start=LATER)
    kept = [at(10, 70), at(29, 87), at(1, 5, start=LATER), at(29, 1, slug="other")]
    last = last_period(kept, current)
    assert last is not None and last.used == 87
    assert last_period([at(1, 5, start=LATER)], current) is None
    # And the card says so, in the reader's units.
    now = LATER + timedelta(days=3)
    report = checked("acme", 40 * 2**30, LATER, now)
    rows = team_view(report, now, "binary", [at(29, 87 * 2**30)])["rows"]
    assert ("Last period", "87 GiB by 10 Dec 2026") in [(r["label"], r["value"]) for r in rows]


def test_a_credit_teams_reading_keeps_its_deploy_count_and_older_lines_still_read() -> None:
    with_deploys = replace(at(3, 5 * 10**9), counts={"deploys": 4})
    assert json.loads(with_deploys.line())["deploys"] == 4
    assert read_lines([with_deploys.line(), at(2, 10).line()]) == [with_deploys, at(2, 10)]
    for odd in ('"4"', "-1", "true", "1e3"):
        line = with_deploys.line().replace('"deploys": 4', f'"deploys": {odd}')
        assert read_lines([line]) == []


def test_since_the_last_reading_covers_production_deploys() -> None:
    account = api.Account("credits-co", "Credits Co", "Free", {"credits": api.Quota(0, 300)})
    bandwidth = api.Bandwidth(
        used=6 * 10**9,
        included=0,
        additional=0,
        period_start=START,
        period_end=LATER,
        updated_at=START + timedelta(days=10),
    )
    deploys = counted(("blog", 5))
    report = TeamReport(account, bandwidth, counts={"deploys": deploys})
    kept = [replace(at(8, 5 * 10**9, slug="credits-co"), counts={"deploys": 3})]
    rows = {row["label"]: row["value"] for row in team_view(report, LATER, "decimal", kept)["rows"]}
    assert rows["Since the last reading"] == "+1 GB and +2 production deploys since 19 Nov 2026"
