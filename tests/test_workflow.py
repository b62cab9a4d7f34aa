"""The scheduled GitHub Actions workflow: it parses, and runs the command the README documents."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "bandwidth-alert.yml"


def workflow() -> dict[Any, Any]:
    document = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(document, dict)
    return document


def test_it_runs_once_a_day_and_on_demand() -> None:
    # YAML 1.1 reads the key `on` as True.
    triggers = workflow()[True]
    [schedule] = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*") and minute.isdigit() and hour.isdigit()
    assert "workflow_dispatch" in triggers


def test_it_runs_the_readmes_command_with_the_token_from_a_secret() -> None:
    [job] = workflow()["jobs"].values()
    [step] = [step for step in job["steps"] if "run" in step]
    assert step["env"] == {"NETLIFY_AUTH_TOKEN": "${{ secrets.NETLIFY_AUTH_TOKEN }}"}
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Hear of it before the pause") :]
    assert f"run: {step['run']}" in section, "the README shows another command"
    assert "NETLIFY_AUTH_TOKEN" in section
    # Never the token itself, and nothing that could print it.
    assert not re.search(r"nf[a-z]_[A-Za-z0-9]{8,}", WORKFLOW.read_text())
    assert workflow()["permissions"] == {"contents": "read"}


def test_every_action_it_uses_is_pinned_by_commit() -> None:
    [job] = workflow()["jobs"].values()
    for step in job["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_its_log_gets_no_team_or_figure() -> None:
    [job] = workflow()["jobs"].values()
    [step] = [step for step in job["steps"] if "run" in step]
    assert "--quiet" in step["run"].split()
