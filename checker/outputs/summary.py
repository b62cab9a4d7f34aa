"""Every team in one Markdown table, for GitHub's job summary and the alert issue: team, plan,
used, share, pace and run-out date, in the same words as the card (checker/view/card.py).

Team names and plans come from Netlify, and any member of a team can rename it: each cell is
made plain text. Control characters are replaced; Markdown's and HTML's special characters are
escaped, so that a name cannot add a link, an image or a row; and what GitHub would turn into a
mention (`@someone`), a cross-reference (`#7`, `owner/repo#7`, `GH-7`, a commit's hash) or a
link (`https://…`, `www.…`) is broken up with an invisible joiner, since a backslash does not stop
a mention. A name is cut to 100 characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from checker.figures.amounts import date_text, format_percent
from checker.figures.team import Team, team_model, verdict
from checker.netlify.report import TeamReport
from checker.outputs.terminal import terminal_text
from checker.view.words import pace_line, used

TITLE = "Netlify bandwidth and credits"
# What a reader is told happens when a team reaches 100 %.
AT_FULL = (
    "At 100 %: a team on a credit plan has its sites paused (on Free until the next period; "
    "on other plans unless credits are bought or auto recharge is on); a team with a bandwidth "
    "allowance pays for, or is limited in, what it uses past it, as its plan says."
)
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_JOINER = "\u2060"  # a word joiner: invisible, and no mention or reference runs across it
# A mention, an issue, a GH- reference, a commit's hash, and what GitHub links by itself.
_LINKABLE = re.compile(
    r"(@)(?=\w)|(#)(?=\d)|\b(GH)(?=-\d)|\b([0-9a-f]{3})(?=[0-9a-f]{4,37}\b)|(:)(?=//)|\b(www)(?=\.)",
    re.IGNORECASE,
)
NAME_CAP = 100


def markdown(
    reports: Sequence[TeamReport],
    now: datetime,
    units: str,
    threshold: float | None,
    *,
    limit: int | None = None,
) -> str:
    """The table, how many teams reach `threshold` (a percentage), which teams could not be
    judged against it and why, and what 100 % means; with `limit`, the rows that fit in that
    many characters, and how many teams were left out."""
    judged = [(report, team_model(report, now)) for report in reports]
    rows = [_row(report, where, units) for report, where in judged]
    if limit is not None:
        room = limit - 4000  # the rest of the text: the sums, the teams not judged, the rule
        while rows and sum(len(row) + 1 for row in rows) > room:
            rows.pop()
    lines = [
        f"## {TITLE}",
        "",
        f"Checked {now.strftime('%Y-%m-%d %H:%M')} UTC.",
        "",
        "| Team | Plan | Used | Share | Pace | Runs out |",
        "|---|---|---|---|---|---|",
        *rows,
    ]
    if len(rows) < len(reports):
        left = len(reports) - len(rows)
        lines += ["", f"{left} more teams are left out here, to keep within GitHub's limit."]
    if threshold is not None:
        verdicts = [(report, where, verdict(where, threshold)) for report, where in judged]
        reached = sum(1 for *_, said in verdicts if said == "reached")
        unknown = [(report, where) for report, where, said in verdicts if said == "unknown"]
        count = f"{reached} of {len(reports)} teams" if reached else "No team"
        known = " known to be" if unknown else ""
        lines += ["", f"**{count}{known} at or over {threshold:g} %.**"]
        if unknown:
            lines += ["", f"**Not known whether these reached {threshold:g} %:**", ""]
            lines += [
                f"- {_cell(_capped(report.account.name))}: {_cell(where.unknown or '')}"
                for report, where in unknown[:50]
            ]
            if len(unknown) > 50:
                lines.append(f"- and {len(unknown) - 50} more")
    return "\n".join([*lines, "", AT_FULL, ""])


def _row(report: TeamReport, model: Team, units: str) -> str:
    """One team's row, in the card's words (checker/view/words.py), from the team's model."""
    account = report.account
    plan = " ".join(filter(None, [_capped(account.plan or ""), f"({report.plan})"]))
    if model.usage is None:
        message = report.error.message if report.error else ""
        cells = [_capped(account.name), plan, "could not be checked", "unknown", message, ""]
    else:
        text = model.usage.worded(units)
        share = model.share
        said = pace_line(model, text)
        cells = [
            _capped(account.name),
            plan,
            used(model, text),
            "unknown" if share is None else "" if share == float("inf") else format_percent(share),
            said["text"] if said else "",
            _runs_out(model),
        ]
    return "| " + " | ".join(map(_cell, cells)) + " |"


def _runs_out(model: Team) -> str:
    if model.netlify_over:
        return "reported over by Netlify"
    if model.credits is not None and model.credits.used_up:
        return "spent"
    if model.over:
        return "over"
    if model.runs_out is not None:
        return date_text(model.runs_out)
    return "on course to run over" if model.on_course else ""


def _capped(name: str) -> str:
    return name if len(name) <= NAME_CAP else name[: NAME_CAP - 1] + "\u2026"


def _cell(text: str) -> str:
    plain = terminal_text(" ".join(text.split()))
    escaped = _SPECIAL.sub(r"\\\1", plain)
    return _LINKABLE.sub(lambda found: found.group(0) + _JOINER, escaped)
