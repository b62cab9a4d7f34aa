"""What the GitHub Action tells the steps after it (`--github-output FILE`), so that a deploy can
be gated on it: whether a team reached the threshold, the highest share, the fewest production
deploys left on a credit team, and how many teams could not be judged. Each is one
`name=value` line, as `$GITHUB_OUTPUT` takes them; every value is the checker's own figure, so
no name from Netlify can add a line."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from checker.figures.team import standing, team_model, verdict
from checker.netlify.report import TeamReport


def outputs(reports: Sequence[TeamReport], now: datetime, threshold: float) -> dict[str, str]:
    judged = [team_model(report, now) for report in reports]
    verdicts = [verdict(where, threshold) for where in judged]
    # Only shares of something: all of nothing (no allowance, some use) has no number.
    shares = [w.share for w in judged if w.share is not None and math.isfinite(w.share)]
    uses = [model.credits for model in judged if model.credits is not None]
    return {
        "reached": "true" if standing(verdicts) == "reached" else "false",
        "highest-share": f"{round(max(shares) * 100, 2):g}" if shares else "",
        "deploys-left": str(min(use.deploys_left for use in uses)) if uses else "",
        "unknown": str(verdicts.count("unknown")),
    }


def failed(teams: Sequence[str]) -> dict[str, str]:
    """The outputs of a run whose check failed as a whole (no token, Netlify down): nothing
    reached that is known, and every team asked for (at least one) could not be judged, so
    that a gate reading `unknown == '0'` holds the deploy back."""
    return {
        "reached": "false",
        "highest-share": "",
        "deploys-left": "",
        "unknown": str(max(1, len(teams))),
    }


def lines(values: dict[str, str]) -> str:
    return "".join(f"{name}={value}\n" for name, value in values.items())
