"""The scheduled GitHub Actions workflow: it parses, and runs the action the README documents."""

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


def test_it_runs_the_repositorys_own_action_as_the_readme_shows_it() -> None:
    [job] = workflow()["jobs"].values()
    [step] = [step for step in job["steps"] if step.get("uses") == "./"]
    assert step["env"] == {"NETLIFY_AUTH_TOKEN": "${{ secrets.NETLIFY_AUTH_TOKEN }}"}
    assert step["with"] == {"threshold": "80", "issue": "true"}
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Hear of it before the pause") :]
    assert "NETLIFY_AUTH_TOKEN: ${{ secrets.NETLIFY_AUTH_TOKEN }}" in section
    assert 'threshold: "80"' in section and 'issue: "true"' in section
    # Never the token itself, and nothing that could print it.
    assert not re.search(r"nf[a-z]_[A-Za-z0-9]{8,}", WORKFLOW.read_text())
    # The least it needs: reading the repository, and writing its one alert issue.
    assert workflow()["permissions"] == {"contents": "read", "issues": "write"}


def test_two_runs_never_overlap_so_neither_opens_a_second_alert_issue() -> None:
    assert workflow()["concurrency"] == {
        "group": "netlify-bandwidth-alert",
        "cancel-in-progress": False,
    }
    readme = (ROOT / "README.md").read_text()
    pasted = readme[readme.index("## Hear of it before the pause") :].split("```yaml\n")[1]
    assert yaml.safe_load(pasted.split("```")[0])["concurrency"] == "netlify-bandwidth-alert"


def test_every_action_it_uses_is_pinned_by_commit_or_is_its_own() -> None:
    [job] = workflow()["jobs"].values()
    for step in job["steps"]:
        if "uses" in step and step["uses"] != "./":
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_its_log_gets_no_team_or_figure() -> None:
    [job] = workflow()["jobs"].values()
    [step] = [step for step in job["steps"] if step.get("uses") == "./"]
    assert "show-in-log" not in step["with"]
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["inputs"]["show-in-log"]["default"] == "false"
