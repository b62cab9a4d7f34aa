"""The shape of a team's card (checker/view/card.py) and its chart (checker/view/chart.py), as
the page draws them (as JSON) and the terminal prints them, with the builders of its rows and
meters. docs/worker-protocol.md describes them for the page's side.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from checker.netlify.report import Plan

Tone = Literal["", "warning"]


class Row(TypedDict):
    label: str
    value: str
    tone: Tone


class Headline(TypedDict):
    strong: str  # the amount used, which the page sets in bold
    rest: str


class Gauge(TypedDict):
    value: int
    max: int
    low: int
    high: int
    label: str


class PaceLine(TypedDict):
    text: str
    tone: Tone


class Failure(TypedDict):
    message: str
    # Which of the form's fields the reader should look at again: "token", "team" or None.
    field: str | None


class Link(TypedDict):
    text: str
    href: str  # always one of Netlify's own pages, https://app.netlify.com/…


Point = list[float]  # [x, y]
# What each part is, for chart.js to style: the axis, the level (allowance or credits), usage so
# far, the projection at this pace, today's line, earlier readings, the crossing, and the labels.
ChartPart = Literal[
    "axis", "level", "used", "projection", "today", "reading", "now", "crossing", "date"
]


class Line(TypedDict):
    kind: ChartPart
    points: list[Point]


class Dot(TypedDict):
    kind: ChartPart
    x: float
    y: float


class Label(TypedDict):
    kind: ChartPart
    x: float
    y: float
    text: str
    anchor: Literal["start", "middle", "end"]


class Chart(TypedDict):
    label: str  # the accessible name: the figures in one sentence
    width: int
    height: int
    lines: list[Line]
    dots: list[Dot]
    labels: list[Label]
    over: bool  # the figure now is at or over the level


class TeamView(TypedDict):
    slug: str
    heading: str
    subtitle: str
    plan: Plan  # "legacy" (an allowance), "credit" (credits) or "unknown"
    over: bool  # over a bandwidth allowance: only ever on a legacy plan
    runs_out: bool  # on course to use up a credit plan's credits
    pending: bool  # still waiting for Netlify's answer: heading, subtitle and note only
    error: Failure | None
    headline: Headline | None
    meter: Gauge | None
    pace: PaceLine | None
    rows: list[Row]
    quotas: list[Row]
    note: str | None
    caveat: str | None  # what the figures cannot include
    link: Link | None
    chart: Chart | None  # the billing period drawn: usage, pace and the allowance or credits
    raw: str


# The meter turns amber, then red, at these shares of the allowance.
METER_LOW, METER_HIGH = 0.75, 0.9


def row(label: str, value: str, tone: Tone = "") -> Row:
    return {"label": label, "value": value, "tone": tone}


def meter(value: int, maximum: int, label: str) -> Gauge:
    """A meter of `maximum`, which turns amber and then red at METER_LOW and METER_HIGH."""
    return {
        "value": min(value, maximum),
        "max": maximum,
        "low": round(maximum * METER_LOW),
        "high": round(maximum * METER_HIGH),
        "label": label,
    }
