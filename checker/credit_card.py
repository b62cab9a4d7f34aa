"""A team on a credit-based plan: what its bandwidth costs in credits, and when, at this pace,
they would run out. Never an allowance: there is none to be over.
"""

from __future__ import annotations

from datetime import datetime

from checker import api
from checker.chart import period_chart
from checker.credits import BILLING_PAGE, CREDITS_PER_GB, RATE_SINCE, CreditUse, credits_for
from checker.figures import Usage, format_percent
from checker.rows import as_netlify_reports, date_text, period_rows
from checker.shape import TeamView, meter, row

OTHER_SPENDING = (
    "Deploys, compute and web requests spend the same credits, and Netlify's API does not "
    "report them: fewer credits are left than this shows. A GB is taken as 10\u2079 bytes, "
    "which Netlify does not state."
)


def credit_card(
    team: TeamView,
    bandwidth: api.Bandwidth,
    use: CreditUse,
    figures: Usage,
    plan: str | None,
    text: dict[str, str],
    now: datetime,
    earlier: list[tuple[datetime, int]],
) -> None:
    """Fills in `team`: the headline, meter, pace, rows and chart in credits, with what the
    figures cannot include and where Netlify shows the rest. `earlier`: the period's readings."""
    included = f"{use.included:,}"
    percent = format_percent(use.share) if use.share is not None else None
    team["headline"] = {
        "strong": f"{credits_text(use.spent)} of {included} credits",
        "rest": " spent on bandwidth" + (f" ({percent})" if percent else ""),
    }
    if use.included > 0:
        label = f"Credits spent on bandwidth: {percent}"
        team["meter"] = meter(round(use.spent), use.included, label)
    team["runs_out"] = use.on_course_to_run_out
    pace = _credit_pace(use, bandwidth, plan)
    if pace:
        team["pace"] = {"text": pace, "tone": "warning" if use.on_course_to_run_out else ""}
    rate = f"{CREDITS_PER_GB} credits per GB since {date_text(RATE_SINCE)}"
    rows = [
        row("Bandwidth used", text["used"]),
        row("Credits for bandwidth", credits_text(use.spent)),
        row("Monthly credits", included),
    ]
    if use.projected is not None:
        rows.append(row("By the period's end", f"about {credits_text(use.projected)} credits"))
    rows.append(row("Rate", rate))
    rows += as_netlify_reports(bandwidth, text)
    team["rows"] = rows + period_rows(bandwidth, figures, now)
    team["caveat"] = OTHER_SPENDING
    team["link"] = {
        "text": "Every credit the team has spent, on Netlify's billing page",
        "href": BILLING_PAGE.format(slug=team["slug"]),
    }
    team["chart"] = period_chart(
        bandwidth,
        now,
        amount=credits_for,
        text=lambda amount: f"{credits_text(amount)} credits",
        level=use.included,
        level_label="a month",
        earlier=earlier,
    )


def _credit_pace(use: CreditUse, bandwidth: api.Bandwidth, plan: str | None) -> str | None:
    then = _when_credits_run_out(plan)
    if use.used_up:
        return f"Bandwidth alone has cost all {use.included:,} of this period's credits. {then}"
    if use.runs_out is not None and bandwidth.period_end is not None:
        ends = date_text(bandwidth.period_end)
        return (
            f"At this pace, bandwidth alone uses the last of the {use.included:,} credits around "
            f"{date_text(use.runs_out)}, before the period ends on {ends}. " + then
        )
    if use.projected is None:
        return None
    return (
        f"On track: at this pace, bandwidth alone costs about {credits_text(use.projected)} of the "
        f"{use.included:,} credits by the period's end."
    )


def _when_credits_run_out(plan: str | None) -> str:
    # The consequence depends on the plan: Free has a hard limit. The plan's name says which;
    # whether the team is on credits at all was decided by what Netlify counts, never by a name.
    if (plan or "").strip().lower() == "free":
        return "On the Free plan, every site of the team is then paused until the next period."
    return (
        "Netlify then pauses every site of the team, unless more credits are bought or auto "
        "recharge is on."
    )


def credits_text(amount: float) -> str:
    return "under 1" if 0 < amount < 0.5 else f"{round(amount):,}"
