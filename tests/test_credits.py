"""Bandwidth in credits: the conversion, the share, the pace and the day the credits run out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checker.figures.credits import CREDITS_PER_GB, GB, credit_use, credits_for
from checker.netlify import api

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)  # 30 days


def bandwidth(
    used: int, start: datetime | None = START, end: datetime | None = END
) -> api.Bandwidth:
    return api.Bandwidth(used, 0, 0, start, end, None)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def test_a_gb_of_bandwidth_costs_20_credits_and_a_gb_is_10_to_the_9_bytes() -> None:
    assert (CREDITS_PER_GB, GB) == (20, 10**9)
    assert credits_for(4_500_000_000) == 90
    assert credits_for(2**30) == pytest.approx(21.47, abs=0.01)  # a GiB is 7 % more


def test_the_share_and_the_pace_of_a_free_team() -> None:
    use = credit_use(bandwidth(4_500_000_000), 300, day(20))
    assert use.spent == 90 and use.share == pytest.approx(0.3)
    assert use.projected == pytest.approx(135)
    assert (use.runs_out, use.used_up, use.on_course_to_run_out) == (None, False, False)


def test_the_day_bandwidth_alone_would_use_the_last_credit() -> None:
    # 200 credits in 10 days: 300 last 15 days, so they run out on day 15 of 30.
    use = credit_use(bandwidth(10 * GB), 300, day(10))
    assert use.projected == pytest.approx(600)
    assert use.runs_out == day(15)
    assert use.on_course_to_run_out and not use.used_up


def test_credits_already_used_up() -> None:
    use = credit_use(bandwidth(16 * GB), 300, day(10))
    assert use.spent == 320 and use.used_up and use.on_course_to_run_out
    assert use.runs_out is None  # not a date to come: it has happened


def test_a_period_just_begun_has_no_pace_yet() -> None:
    use = credit_use(bandwidth(GB), 300, START + timedelta(hours=3))
    assert use.spent == 20 and use.projected is None and use.runs_out is None


def test_a_period_that_is_over_projects_what_was_spent() -> None:
    use = credit_use(bandwidth(12 * GB), 300, END + timedelta(days=2))
    assert use.projected == 240 and use.runs_out is None


def test_without_period_dates_there_is_no_pace() -> None:
    use = credit_use(bandwidth(12 * GB, None, None), 300, day(10))
    assert (use.projected, use.runs_out) == (None, None)
    assert use.share == pytest.approx(0.8)


def test_a_month_without_credits_has_no_share() -> None:
    use = credit_use(bandwidth(GB), 0, day(10))
    assert use.share is None and use.used_up


def test_nothing_used_never_runs_out() -> None:
    use = credit_use(bandwidth(0), 300, day(29))
    assert (use.spent, use.projected, use.runs_out, use.on_course_to_run_out) == (0, 0, None, False)
