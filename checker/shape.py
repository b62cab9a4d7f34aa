"""The pieces a card is made of (checker/card.py), as the page draws them (as JSON) and the
terminal prints them, with the builders of its rows and meters. docs/worker-protocol.md
describes them for the page's side.
"""

from __future__ import annotations

from typing import Literal, TypedDict

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
