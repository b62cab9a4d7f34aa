"""The deploy guard's decision (`--deploy-gate`), which the Netlify Build plugin acts on
(plugin/index.mjs): whether a production deploy of one team's site goes ahead or stops, and one
line for the deploy's summary.

It reads the team model and its verdict (checker/figures/team.py), as every other output does,
and adds only what a deploy asks of them: whether the credits left pay for this deploy. A deploy
stops when Netlify reports the team over, when fewer credits are left than a production deploy
costs, or when the share that counts has reached the threshold. What cannot be seen (the team
could not be checked, its plan is unknown, its count was cut short under the threshold) is
"unknown": the deploy goes ahead and the log says so loudly, unless the user chose to stop on
unknown. Everything here is about the one team being deployed, never another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from checker.figures.amounts import date_text, format_percent
from checker.figures.credits import BILLING_PAGE, PRODUCTION_DEPLOYS, CreditUse
from checker.figures.team import Team, Verdict, verdict
from checker.outputs.terminal import log_text
from checker.view.words import deploys_left, headline, reported

# A credit team's deploys stop at 90 % of the month's credits unless the user sets another
# threshold: the estimate misses compute, web requests and AI inference, which the API does not
# report, so the last tenth (30 of a Free team's 300 credits, two deploys' worth) is left to them.
DEFAULT_THRESHOLD = 90.0

Action = Literal["go", "stop"]


@dataclass(frozen=True)
class Gate:
    action: Action
    standing: Verdict  # where the team stands: "reached" stops, "unknown" could not be told
    summary: str  # one line: what the team has spent, as the deploy's summary shows it
    reason: str | None  # why the deploy stops, or why it could not be told
    advice: str | None  # what to do about a stop

    def document(self) -> dict[str, Any]:
        """What `--deploy-gate` prints, as one line of JSON; every text made safe for a log."""
        texts = {"summary": self.summary, "reason": self.reason, "advice": self.advice}
        safe = {key: None if text is None else log_text(text) for key, text in texts.items()}
        return {"action": self.action, "standing": self.standing, **safe}


def decide(
    model: Team, now: datetime, units: str, *, threshold: float | None, stop_on_unknown: bool
) -> Gate:
    """The decision for a production deploy of a site of the team `model` is of."""
    slug = model.report.account.slug
    if model.usage is None:
        return unknown(model.unknown or "it could not be checked", stop_on_unknown=stop_on_unknown)
    said = headline(model, model.usage.worded(units))
    use = model.credits
    summary = said["strong"] + said["rest"]
    if use is not None and not model.netlify_over:
        summary += f", {deploys_left(use)} before the credits run out"
    limit = threshold if threshold is not None or use is None else DEFAULT_THRESHOLD
    if model.netlify_over:
        said = reported(model.report.account).removesuffix(" Check its billing page now.")
        return _stop(summary, f"Netlify reports the team “{slug}” over. {said}", model, now)
    if use is not None and use.deploys_left == 0:
        left = max(0, round(use.included - use.spent))
        return _stop(
            summary,
            f"only {left:,} of the team's {use.included:,} credits are left, fewer than the "
            f"{PRODUCTION_DEPLOYS.credits} this production deploy costs: it would run the team "
            "out of credits, and Netlify would pause every site of the team",
            model,
            now,
        )
    standing = "not reached" if limit is None else verdict(model, limit)
    if model.kind == "unknown" and standing == "not reached":
        standing = "unknown"  # with no threshold set, an unknown plan settles nothing either
    if standing == "reached":
        assert limit is not None and model.share is not None
        share = format_percent(model.share) if model.share != float("inf") else "all"
        return _stop(
            summary,
            f"the team “{slug}” has used {share} of its {_of(use)}, at or above this guard's "
            f"threshold of {limit:g} %",
            model,
            now,
        )
    if standing == "unknown":
        gate = unknown(model.unknown or "it cannot be judged", stop_on_unknown=stop_on_unknown)
        return Gate(gate.action, "unknown", summary, gate.reason, gate.advice)
    return Gate("go", "not reached", summary, None, None)


def unknown(why: str, *, stop_on_unknown: bool) -> Gate:
    """The team's standing could not be told: the deploy goes ahead, unless chosen otherwise."""
    why = why.rstrip(".")
    if stop_on_unknown:
        reason = f"whether this deploy is safe could not be told ({why}), and this guard stops then"
        advice = "Deploy again once Netlify answers, or set stopOnUnknown to false."
        return Gate("stop", "unknown", "Not known", reason, advice)
    reason = f"whether this deploy is safe could not be told: {why}. It goes ahead unguarded"
    return Gate("go", "unknown", "Not known", reason, None)


def _of(use: CreditUse | None) -> str:
    return "month's credits" if use is not None else "bandwidth allowance"


def _stop(summary: str, reason: str, model: Team, now: datetime) -> Gate:
    account, use = model.report.account, model.credits
    page = BILLING_PAGE.format(slug=account.slug)
    bandwidth = model.report.bandwidth
    end = use.period.end if use is not None else bandwidth.period_end if bandwidth else None
    renews = f" on {date_text(end)}" if end is not None and end > now else ""
    if use is None:
        advice = f"See the team's usage on {page}, or raise this guard's threshold."
    elif (account.plan or "").strip().lower() == "free":
        advice = (
            f"The Free plan cannot buy credits: upgrade on {page}, or wait for the credits to "
            f"renew{renews}."
        )
    else:
        advice = (
            f"Buy credits or turn on auto recharge on {page}, raise this guard's threshold, or "
            f"wait for the credits to renew{renews}."
        )
    return Gate("stop", "reached", summary, reason, advice)
