"""Units, percentages and pace: the arithmetic behind every figure a person reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checker.figures.amounts import format_bytes, format_percent, usage
from checker.netlify.api import Bandwidth

GIB = 1024**3


@pytest.mark.parametrize(
    ("count", "binary", "decimal"),
    [
        (0, "0 B", "0 B"),
        (1, "1 B", "1 B"),
        (999, "999 B", "999 B"),
        (1000, "1000 B", "1 kB"),
        (1023, "1023 B", "1.02 kB"),
        (1024, "1 KiB", "1.02 kB"),
        (1536, "1.5 KiB", "1.54 kB"),
        (300_000_000, "286 MiB", "300 MB"),
        (1024**3 - 1, "1 GiB", "1.07 GB"),
        (1023 * 1024**2 + 1000 * 1024, "1 GiB", "1.07 GB"),
        (27167800363, "25.3 GiB", "27.2 GB"),
        (107374182400, "100 GiB", "107 GB"),
        (130 * GIB, "130 GiB", "140 GB"),
        (5 * 1024**4, "5 TiB", "5.5 TB"),
        (2**53 - 1, "8 PiB", "9.01 PB"),
    ],
)
def test_bytes_read_naturally_in_both_unit_systems(count: int, binary: str, decimal: str) -> None:
    assert format_bytes(count, "binary") == binary
    assert format_bytes(count, "decimal") == decimal


def test_the_seed_articles_figures_read_as_netlifys_dashboard_does() -> None:
    assert f"{format_bytes(27167800363)} of {format_bytes(107374182400)}" == "25.3 GiB of 100 GiB"


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (0, "0 %"),
        (0.0004, "<0.1 %"),
        (0.001, "0.1 %"),
        (0.05, "5 %"),
        (0.2530, "25.3 %"),
        (0.99996, "100 %"),
        (1.3, "130 %"),
        (12.346, "1235 %"),
    ],
)
def test_percentages(share: float, text: str) -> None:
    assert format_percent(share) == text


START = datetime(2024, 2, 17, 8, tzinfo=UTC)
END = START + timedelta(days=30)


def bandwidth(used: int, included: int = 100 * GIB, additional: int = 0) -> Bandwidth:
    return Bandwidth(used, included, additional, START, END, None)


def test_inside_the_allowance_on_track() -> None:
    figures = usage(bandwidth(25 * GIB), START + timedelta(days=20))
    assert figures.remaining == 75 * GIB
    assert figures.over == 0
    assert figures.share == 0.25
    assert figures.elapsed == pytest.approx(2 / 3)
    assert figures.days_left == 10
    assert figures.projected == round(25 * GIB * 1.5)
    assert not figures.on_course_to_run_over


def test_on_course_to_run_over() -> None:
    figures = usage(bandwidth(80 * GIB), START + timedelta(days=20))
    assert figures.projected == 120 * GIB
    assert figures.on_course_to_run_over


def test_over_the_allowance() -> None:
    figures = usage(bandwidth(130 * GIB), START + timedelta(days=20))
    assert (figures.remaining, figures.over) == (0, 30 * GIB)
    assert figures.share == 1.3
    # Already over is said as such, not as a forecast.
    assert not figures.on_course_to_run_over


def test_additional_bandwidth_is_part_of_the_allowance() -> None:
    figures = usage(bandwidth(120 * GIB, additional=50 * GIB), START + timedelta(days=15))
    assert figures.available == 150 * GIB
    assert figures.over == 0
    assert figures.remaining == 30 * GIB


def test_a_plan_with_nothing_included_never_divides_by_zero() -> None:
    figures = usage(bandwidth(5 * GIB, included=0), START + timedelta(days=1))
    assert figures.share is None
    assert figures.over == 5 * GIB
    assert not figures.on_course_to_run_over


def test_no_projection_in_the_first_hours_of_a_period() -> None:
    figures = usage(bandwidth(1 * GIB), START + timedelta(hours=2))
    assert figures.projected is None


def test_after_the_period_the_projection_is_what_was_used() -> None:
    figures = usage(bandwidth(40 * GIB), END + timedelta(days=2))
    assert (figures.elapsed, figures.days_left, figures.projected) == (1.0, 0, 40 * GIB)


def test_without_period_dates_there_is_no_pace() -> None:
    figures = usage(Bandwidth(1, 2, 0, None, None, None), START)
    assert (figures.elapsed, figures.days_left, figures.projected) == (None, None, None)
