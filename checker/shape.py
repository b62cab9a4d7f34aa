"""The view's shape: the typed pieces a check's view is made of, which the page draws (as JSON)
and the terminal prints, and the builders of its rows and meters. docs/worker-protocol.md
describes them for the page's side.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from checker.chart import Chart
from checker.check import Plan

Tone = Literal["", "warning"]


class Row(TypedDict):
    label: str
    value: str
    tone: Tone


class Headline(TypedDict):
    strong: str  # the amount used, which the page sets in bold
    rest: str


class Meter(TypedDict):
    value: int
    max: int
    low: int
    high: int
    label: str


class Pace(TypedDict):
    text: str
    tone: Tone


class Failure(TypedDict):
    message: str
    # Which of the form's fields the reader should look at again: "token", "team" or None.
    field: str | None


class Link(TypedDict):
    text: str
    href: str  # always one of Netlify's own pages, https://app.netlify.com/…


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
    meter: Meter | None
    pace: Pace | None
    rows: list[Row]
    quotas: list[Row]
    note: str | None
    caveat: str | None  # what the figures cannot include
    link: Link | None
    chart: Chart | None  # the billing period drawn: usage, pace and the allowance or credits
    raw: str


class UnitsView(TypedDict):
    status: str  # the one sentence the status line announces
    teams: list[TeamView]


class PageView(TypedDict):
    ok: Literal[True]
    example: bool
    units: dict[str, UnitsView]  # by unit system: "binary", "decimal"
    history: list[str]  # the readings to keep on this device, as checker/history.py writes them


class ErrorView(TypedDict):
    ok: Literal[False]
    error: Failure


View = PageView | ErrorView

# The meter turns amber, then red, at these shares of the allowance.
METER_LOW, METER_HIGH = 0.75, 0.9


def row(label: str, value: str, tone: Tone = "") -> Row:
    return {"label": label, "value": value, "tone": tone}


def meter(value: int, maximum: int, label: str) -> Meter:
    """A meter of `maximum`, which turns amber and then red at METER_LOW and METER_HIGH."""
    return {
        "value": min(value, maximum),
        "max": maximum,
        "low": round(maximum * METER_LOW),
        "high": round(maximum * METER_HIGH),
        "label": label,
    }
