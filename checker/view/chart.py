"""The billing period as a chart: usage so far, the pace to the period's end, and the level it
must stay under. Every coordinate and every word is worked out here; static/chart.js only draws
them, as SVG with text nodes.

Coordinates are in a box WIDTH x HEIGHT (the SVG's viewBox): time runs left to right from the
period's start to its end, the amount bottom to top from zero to a little over the largest
figure shown. The amount is bytes on a plan with an allowance, credits on a credit-based plan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Literal

from checker.figures.amounts import format_percent, pace, short_date
from checker.netlify.report import Period
from checker.view.shape import Chart, Dot, Label, Line, Point

WIDTH, HEIGHT = 320, 150
# The plot inside the box: room above for the level's label, below for the dates.
LEFT, RIGHT, TOP, BOTTOM = 4.0, 316.0, 18.0, 128.0
# The top of the scale stands this much above the largest figure, so no line runs along the edge.
HEADROOM = 1.1


def period_chart(
    period: Period,
    now: datetime,
    *,
    used: float,
    text: Callable[[float], str],
    level: float | None,
    level_label: str,
    earlier: Sequence[tuple[datetime, float]] = (),
) -> Chart | None:
    """`used` is the amount now (bytes, or credits) and `text` says an amount as a person reads
    it; `level` is the allowance or the month's credits (None or 0: no line), `level_label` what
    it is ("included", "a month"); `earlier` the readings (when, amount) kept of this period.
    None when there is no `period` to draw, or it has not begun."""
    start, end = period.start, period.end
    if start is None or end is None or end <= start or now < start:
        return None
    ended = now >= end
    level = level if level else None
    course = pace(used, level, start, end, now)
    elapsed = course.elapsed or 0.0
    kept = _kept(earlier, start, min(now, end), end)
    # Once the period has ended there is nothing left to project.
    projected = None if ended else course.projected
    top = max([used, projected or 0, level or 0, *(value for _, value in kept)]) * HEADROOM
    point = partial(_point, top=top or 1.0)
    lines: list[Line] = [{"kind": "axis", "points": [[LEFT, BOTTOM], [RIGHT, BOTTOM]]}]
    dots: list[Dot] = []
    labels: list[Label] = [
        {"kind": "date", "x": LEFT, "y": HEIGHT - 6, "text": short_date(start), "anchor": "start"},
        {"kind": "date", "x": RIGHT, "y": HEIGHT - 6, "text": short_date(end), "anchor": "end"},
    ]
    now_x, now_y = point(elapsed, used)
    if level is not None:
        said = f"{text(level)} {level_label}"
        _add_level(lines, labels, point(0, level)[1], said)
    if not ended:
        _add_today(lines, labels, now_x)
    if projected is not None:
        lines.append({"kind": "projection", "points": [[now_x, now_y], point(1, projected)]})
    used_line = [point(0, 0), *(point(at, value) for at, value in kept), [now_x, now_y]]
    lines.append({"kind": "used", "points": used_line})
    dots += [{"kind": "reading", "x": x, "y": y} for x, y in (point(at, v) for at, v in kept)]
    dots.append({"kind": "now", "x": now_x, "y": now_y})
    crossing = None
    if level is not None and course.crosses_at is not None and course.crossing is not None:
        crossing = f"{text(level)} on {short_date(course.crossing)}"
        _add_crossing(dots, labels, point(course.crosses_at, level), crossing)
    return {
        "label": _sentence(used, level, projected, elapsed, ended, crossing, end, text),
        "width": WIDTH,
        "height": HEIGHT,
        "lines": lines,
        "dots": dots,
        "labels": labels,
        "over": level is not None and used >= level,
    }


def _kept(
    earlier: Sequence[tuple[datetime, float]], start: datetime, until: datetime, end: datetime
) -> list[tuple[float, float]]:
    """The readings from `start` to `until`, each at its share of the period, oldest first."""
    span = (end - start).total_seconds()
    return sorted(
        (min(1.0, max(0.0, (when - start).total_seconds() / span)), amount)
        for when, amount in earlier
        if start <= when < until
    )


def _point(at: float, value: float, *, top: float) -> Point:
    """Where `value`, at share `at` of the period, stands in the box, `top` at its top."""
    x = LEFT + at * (RIGHT - LEFT)
    y = BOTTOM - value / top * (BOTTOM - TOP)
    return [round(x, 1), round(y, 1)]


def _add_level(lines: list[Line], labels: list[Label], level_y: float, said: str) -> None:
    """The allowance or the month's credits, across the chart, named above it."""
    lines.append({"kind": "level", "points": [[LEFT, level_y], [RIGHT, level_y]]})
    labels.append(
        {"kind": "level", "x": LEFT + 2, "y": level_y - 4, "text": said, "anchor": "start"}
    )


def _add_today(lines: list[Line], labels: list[Label], now_x: float) -> None:
    lines.append({"kind": "today", "points": [[now_x, TOP], [now_x, BOTTOM]]})
    # Named only where it cannot cover the period's dates at either end, at the labels'
    # size on the narrowest chart (about 16 of the box's units: chart.js keeps them 12px).
    if LEFT + 80 < now_x < RIGHT - 80:
        labels.append(
            {"kind": "today", "x": now_x, "y": HEIGHT - 6, "text": "Today", "anchor": "middle"}
        )


def _add_crossing(dots: list[Dot], labels: list[Label], at: Point, said: str) -> None:
    """Where, at this pace, the amount reaches the level."""
    x, y = at
    dots.append({"kind": "crossing", "x": x, "y": y})
    anchor: Literal["start", "end"] = "end" if x > (LEFT + RIGHT) / 2 else "start"
    # Below the level line, clear of it at the labels' largest size in the box's units.
    labels.append({"kind": "crossing", "x": x, "y": y + 17, "text": said, "anchor": anchor})


def _sentence(
    used: float,
    level: float | None,
    projected: float | None,
    elapsed: float,
    ended: bool,
    crossing: str | None,
    end: datetime,
    text: Callable[[float], str],
) -> str:
    said = f"{text(used)} of {text(level)} used" if level else f"{text(used)} used"
    if ended:
        return f"{said} in the period that ended {short_date(end)}"
    said += f" with {format_percent(elapsed)} of the period gone"
    if projected is not None:
        said += f"; at this pace {text(projected)} by {short_date(end)}"
    if crossing is not None:
        said += f", reaching {crossing}"
    return said
