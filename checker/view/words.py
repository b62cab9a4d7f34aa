"""The words a team's card leads with, decided from the one model of the team
(checker/figures/team.py): the headline, the figure used without its share, and the sentence on
its pace. The card shows them, and the Markdown table and notifications say them the same way,
without building a card.
"""

from __future__ import annotations

from checker.figures import credits
from checker.figures.amounts import Usage, date_text, format_percent
from checker.figures.credits import CreditUse, credits_text, when_spent
from checker.figures.team import Team
from checker.netlify import api
from checker.view.names import listed
from checker.view.shape import Headline, PaceLine

UNKNOWN_PLAN = (
    "Netlify did not say which plan this team is on, so its bandwidth is shown alone, "
    "against no allowance or credits: whether it is close to a limit is not known."
)
UNKNOWN_PLAN_ALLOWANCE = (
    "Netlify did not say which plan this team is on: the share is of the allowance its "
    "bandwidth answer gives."
)


def used(model: Team, text: dict[str, str]) -> str:
    """The figure the headline leads with, without its share: "130 GiB of 100 GiB used"."""
    headline = _parts(model, text)
    return headline["strong"] + headline["rest"]


def headline(model: Team, text: dict[str, str]) -> Headline:
    """The card's headline: the figure used, and its share."""
    parts, share = _parts(model, text), _share(model)
    if model.netlify_over or share is None:
        return parts
    whose = ", Netlify's own count" if model.counted_by == "netlify" else ""
    return {"strong": parts["strong"], "rest": f"{parts['rest']} ({share}{whose})"}


def pace_line(model: Team, text: dict[str, str]) -> PaceLine | None:
    """The sentence under the headline: where the figure is heading, and what happens then."""
    report, figures, use = model.report, model.usage, model.credits
    if model.netlify_over:
        return {"text": reported(report.account), "tone": "warning"}
    if use is not None:
        warning = use.on_course_to_run_out or use.incomplete
        return {"text": _credit_pace(use, report.account), "tone": "warning" if warning else ""}
    assert figures is not None
    if report.plan == "unknown":
        sentence = UNKNOWN_PLAN_ALLOWANCE if figures.available > 0 else UNKNOWN_PLAN
        return {"text": sentence, "tone": ""}
    said = _legacy_pace(figures, text, _share(model))
    warning = figures.over > 0 or figures.on_course_to_run_over
    return {"text": said, "tone": "warning" if warning else ""} if said else None


def _parts(model: Team, text: dict[str, str]) -> Headline:
    use, figures = model.credits, model.usage
    if model.netlify_over:
        what = "over its credits" if use is not None else "over its plan's usage"
        return {"strong": f"Netlify reports this team {what}", "rest": ": its sites may be paused"}
    if use is not None:
        spent = ("at least " if use.at_least else "") + credits_text(use.spent)
        return {"strong": f"{spent} of {use.included:,} credits", "rest": " spent"}
    assert figures is not None
    allowance = figures.available > 0
    return {
        "strong": text["used"],
        "rest": f" of {text['available']} used" if allowance else " used",
    }


def _share(model: Team) -> str | None:
    """The share as the headline gives it: of the allowance, or of the month's credits."""
    if model.credits is not None:
        share = model.credits.share
    elif model.usage is not None:
        share = model.usage.share
    else:
        share = None
    return None if share is None else format_percent(share)


def reported(account: api.Account) -> str:
    """What Netlify's account object says of a team it reports over."""
    billing, said = account.billing, []
    if billing.lifecycle_state not in (None, "active"):
        said.append(f"its state is “{billing.lifecycle_state}”, not active")
    if billing.usages_exceeded:
        said.append("usage exceeded: " + listed(billing.usages_exceeded, "meter"))
    said_so = "; ".join(said) or "so"
    return f"Netlify's account for this team says {said_so}. Check its billing page now."


def _legacy_pace(figures: Usage, text: dict[str, str], percent: str | None) -> str | None:
    if figures.over > 0:
        return f"Over the allowance by {text['over']}."
    if figures.available == 0:
        return "This plan includes no bandwidth allowance to measure against."
    if figures.projected is None or figures.elapsed is None or figures.elapsed >= 1:
        return None
    shares = f"{percent} used with {format_percent(figures.elapsed)} of the period gone"
    if figures.on_course_to_run_over:
        return (
            f"On course to run over: {shares}. At this pace, about {text['projected']} "
            "by the period's end."
        )
    return f"On track: {shares}. At this pace, about {text['projected']} by the period's end."


def _credit_pace(use: CreditUse, account: api.Account) -> str:
    rule = when_spent(account.plan, account.billing)
    which = "Netlify's own count" if use.counted_by == "netlify" else _estimated_from()
    end = use.period.end
    if use.used_up:
        return f"The credits are spent: {which} come to all {use.included:,} of them. {rule}"
    if use.runs_out is not None and end is not None:
        return (
            f"At this pace the team spends the last of its {use.included:,} credits around "
            f"{date_text(use.runs_out)}, before the period ends on {date_text(end)}. {rule}"
        )
    if use.incomplete is not None:
        # Never "on track" on a count that may be well short.
        return f"Not known to be on track: {use.incomplete}. {rule}"
    if use.projected is None:
        return rule
    return (
        f"On track: at this pace, about {credits_text(use.projected)} of the {use.included:,} "
        f"credits by the period's end. {rule}"
    )


def _estimated_from() -> str:
    """What the checker's own estimate of a credit team's spending adds up: each meter it counts."""
    names = [credits.BANDWIDTH.name.lower(), *(meter.units for meter in credits.COUNTED)]
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


def deploys_left(use: CreditUse) -> str:
    """How many more production deploys the credits left pay for: "about 9 more production
    deploys", or "at most" when a count is short, since whatever it missed was spent too."""
    left, deploys = use.deploys_left, credits.PRODUCTION_DEPLOYS
    bound = "at most" if use.incomplete is not None else "about"
    return f"{bound} {left:,} more {deploys.noun(left)}"
