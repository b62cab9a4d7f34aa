"""The chart's figures (checker/view/chart.py), from known readings: every coordinate and word that
static/chart.js draws."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

from checker.figures.amounts import format_bytes
from checker.netlify import api
from checker.netlify.report import bandwidth_period
from checker.view.chart import BOTTOM, LEFT, RIGHT, TOP, period_chart
from checker.view.shape import Chart

GIB = 2**30
START = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
END = START + timedelta(days=30)
# 21 of 30 days gone: 70 % of the period.
NOW = START + timedelta(days=21)


def figures(
    used: int, *, start: datetime | None = START, end: datetime | None = END
) -> api.Bandwidth:
    return api.Bandwidth(used, 100 * GIB, 0, start, end, None)


def chart(
    used: int,
    *,
    now: datetime = NOW,
    level: float | None = 100 * GIB,
    earlier: list[tuple[datetime, int]] | None = None,
    **period: datetime | None,
) -> Chart | None:
    return period_chart(
        bandwidth_period(figures(used, **period)),
        now,
        used=float(used),
        text=lambda amount: format_bytes(round(amount)),
        level=level,
        level_label="included",
        earlier=[(when, float(count)) for when, count in earlier or []],
    )


def line(drawn: Chart, kind: str) -> list[list[float]] | None:
    return next((each["points"] for each in drawn["lines"] if each["kind"] == kind), None)


def labels(drawn: Chart, kind: str) -> list[str]:
    return [label["text"] for label in drawn["labels"] if label["kind"] == kind]


def every_number(drawn: Chart) -> list[float]:
    numbers: list[float] = []

    def walk(value: object) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            numbers.append(float(value))
        elif isinstance(value, dict):
            for each in value.values():
                walk(each)
        elif isinstance(value, list):
            for each in value:
                walk(each)

    walk(drawn)
    return numbers


def test_a_team_inside_its_allowance_on_course_to_go_over() -> None:
    drawn = chart(77 * GIB)
    assert drawn is not None
    # 77 GiB at 70 % of the period: 110 GiB by its end, over the 100 GiB on day 27 (7 Dec).
    assert drawn["label"] == (
        "77 GiB of 100 GiB used with 70 % of the period gone; at this pace 110 GiB by 10 Dec, "
        "reaching 100 GiB on 7 Dec"
    )
    used = line(drawn, "used")
    assert used is not None and used[0] == [LEFT, BOTTOM]
    today_x = LEFT + 0.7 * (RIGHT - LEFT)
    assert math.isclose(used[-1][0], today_x, abs_tol=0.1)
    projection = line(drawn, "projection")
    assert projection is not None and projection[0] == used[-1] and projection[1][0] == RIGHT
    # The highest figure, the projection, stands just under the top of the plot.
    assert TOP < projection[1][1] < TOP + 15
    level = line(drawn, "level")
    assert level is not None and level[0][1] > projection[1][1]
    assert labels(drawn, "crossing") == ["100 GiB on 7 Dec"]
    assert labels(drawn, "date") == ["10 Nov", "10 Dec"]
    assert labels(drawn, "today") == ["Today"]
    assert not drawn["over"]


def test_a_team_over_its_allowance_has_no_crossing_to_come() -> None:
    drawn = chart(130 * GIB)
    assert drawn is not None and drawn["over"]
    assert labels(drawn, "crossing") == []
    assert "130 GiB of 100 GiB used" in drawn["label"]


def test_no_allowance_draws_usage_and_pace_without_a_level() -> None:
    drawn = chart(5 * GIB, level=0)
    assert drawn is not None
    assert line(drawn, "level") is None and labels(drawn, "level") == []
    assert drawn["label"].startswith("5 GiB used with 70 % of the period gone")
    assert not drawn["over"]


def test_nothing_used_yet_still_draws_a_flat_line() -> None:
    drawn = chart(0, level=0)
    assert drawn is not None
    used = line(drawn, "used")
    assert used is not None and used[-1][1] == BOTTOM
    assert all(math.isfinite(number) for number in every_number(drawn))


def test_a_period_not_yet_begun_or_unknown_is_not_drawn() -> None:
    assert chart(0, now=START - timedelta(hours=1)) is None
    assert chart(GIB, start=None) is None
    assert chart(GIB, end=START) is None


def test_a_period_just_ended_shows_where_it_ended_with_no_pace_and_no_today() -> None:
    drawn = chart(90 * GIB, now=END + timedelta(hours=2))
    assert drawn is not None
    assert drawn["label"] == "90 GiB of 100 GiB used in the period that ended 10 Dec"
    assert line(drawn, "projection") is None and line(drawn, "today") is None
    used = line(drawn, "used")
    assert used is not None and used[-1][0] == RIGHT


def test_too_early_in_the_period_for_a_pace() -> None:
    drawn = chart(GIB, now=START + timedelta(hours=12))
    assert drawn is not None and line(drawn, "projection") is None
    assert "at this pace" not in drawn["label"]
    # Today's line sits near the start, where its label would cover the first date.
    assert labels(drawn, "today") == []


def test_one_earlier_reading_is_a_point_on_the_way() -> None:
    drawn = chart(77 * GIB, earlier=[(START + timedelta(days=10), 30 * GIB)])
    assert drawn is not None
    used = line(drawn, "used")
    assert used is not None and len(used) == 3
    [reading] = [dot for dot in drawn["dots"] if dot["kind"] == "reading"]
    assert [reading["x"], reading["y"]] == used[1]
    assert math.isclose(reading["x"], LEFT + (RIGHT - LEFT) / 3, abs_tol=0.1)


def test_many_readings_in_time_order_and_only_this_periods() -> None:
    days = [(START + timedelta(days=day, hours=1), day * 3 * GIB) for day in range(20, 0, -1)]
    other_period = [(START - timedelta(days=3), 95 * GIB), (NOW + timedelta(hours=1), GIB)]
    drawn = chart(66 * GIB, earlier=days + other_period)
    assert drawn is not None
    used = line(drawn, "used")
    assert used is not None and len(used) == 22
    xs = [x for x, _ in used]
    assert xs == sorted(xs)
    # Only this period's readings before now are drawn.
    assert json.dumps(drawn).count('"reading"') == 20


def test_credits_are_drawn_in_credits() -> None:
    drawn = period_chart(
        bandwidth_period(figures(4_500_000_000)),
        NOW,
        used=4_500_000_000 / 10**9 * 20,
        text=lambda amount: f"{round(amount)} credits",
        level=300,
        level_label="a month",
    )
    assert drawn is not None
    assert drawn["label"].startswith("90 credits of 300 credits used")
    assert labels(drawn, "level") == ["300 credits a month"]
