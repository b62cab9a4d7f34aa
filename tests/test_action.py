"""The composite action (action.yml) run as GitHub runs it: its step's script under bash with
the inputs, `github.action_path` and the runner's files, against the fake Netlify API and a
fake of GitHub's API. What lands in the job summary, the exit code, the log, and the issue."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.outputs import alert_issue
from tests.conftest import ROOT
from tests.fake_github import TOKEN as GITHUB_TOKEN
from tests.fake_github import FakeGitHub
from tests.fake_netlify import TOKEN, FakeNetlify, Reply, error

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    yield fake
    fake.close()


def run_action(
    tmp_path: Path,
    netlify: FakeNetlify,
    ca_file: Path,
    github: FakeGitHub,
    *,
    private: bool = True,
    **given: str,
) -> tuple[subprocess.CompletedProcess[str], str]:
    """The action's steps, as the runner would run them; the log and the job summary."""
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs.update({name.replace("_", "-"): value for name, value in given.items()})
    context = {
        "github.action_path": str(ROOT),
        "github.token": GITHUB_TOKEN,
        "github.event.repository.private": "true" if private else "false",
    }

    def fill(text: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("inputs."):
                return fill(inputs[name.removeprefix("inputs.")])
            return context[name]

        return EXPRESSION.sub(value, text)

    summary = tmp_path / "summary.md"
    summary.touch()
    environment = {
        "PATH": os.environ["PATH"],
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOSITORY": "owner/sites",
        # What the calling workflow's step gives: the secret, and here the fakes' addresses.
        "NETLIFY_AUTH_TOKEN": TOKEN,
        "NETLIFY_API_URL": netlify.url,
        "SSL_CERT_FILE": str(ca_file),
    }
    results = []
    for step in ACTION["runs"]["steps"]:
        assert step["shell"] == "bash"
        env = {**environment, **{k: fill(str(v)) for k, v in step.get("env", {}).items()}}
        assert "${{" not in step["run"], "inputs go through the environment, never into the script"
        script = tmp_path / "step.sh"
        script.write_text(step["run"])
        results.append(
            subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        )
    [result] = results
    return result, summary.read_text()


def test_a_team_over_the_threshold_fails_the_job_and_the_log_names_no_team(
    tmp_path: Path, netlify: FakeNetlify, ca_file: Path, github: FakeGitHub
) -> None:
    result, summary = run_action(tmp_path, netlify, ca_file, github, threshold="80")
    # Side Projects is at 130 % of its allowance.
    assert result.returncode == 3
    log = result.stdout + result.stderr
    for team in ("Acme", "acme", "Side Projects", "Credits Co", "GiB", "credits"):
        assert team not in log
    assert "a team has reached 80 %" in log
    assert "| Team | Plan | Used | Share | Pace | Runs out |" in summary
    assert "| Side Projects | Starter \\(legacy\\)" not in summary  # parentheses stay plain
    assert "| Side Projects | Starter (legacy) | 130 GiB of 100 GiB used | 130 % |" in summary
    assert "| Credits Co | Free (credit) | at least 165 of 300 credits spent | 55 % |" in summary
    assert github.requests == []  # the issue is off unless asked for


def test_under_the_threshold_the_job_passes(
    tmp_path: Path, netlify: FakeNetlify, ca_file: Path, github: FakeGitHub
) -> None:
    result, summary = run_action(tmp_path, netlify, ca_file, github, threshold="200")
    assert result.returncode == 0, result.stderr
    assert "No team at or over 200 %." in summary


def test_a_public_repository_is_warned_and_show_in_log_prints_the_cards(
    tmp_path: Path, netlify: FakeNetlify, ca_file: Path, github: FakeGitHub
) -> None:
    result, _ = run_action(
        tmp_path, netlify, ca_file, github, private=False, threshold="200", show_in_log="true"
    )
    assert "::warning::This repository is public" in result.stdout
    assert "Side Projects" in result.stdout


def test_the_alert_issue_is_opened_once_updated_then_closed_on_recovery(
    tmp_path: Path, netlify: FakeNetlify, ca_file: Path, github: FakeGitHub
) -> None:
    first, _ = run_action(tmp_path, netlify, ca_file, github, threshold="80", issue="true")
    assert first.returncode == 3
    assert "opened the alert issue #1" in first.stderr
    [issue] = github.issues
    assert issue["title"] == alert_issue.TITLE and issue["labels"] == [alert_issue.LABEL]
    assert "Side Projects" in issue["body"] and "At 100 %" in issue["body"]
    again, _ = run_action(tmp_path, netlify, ca_file, github, threshold="80", issue="true")
    assert "updated the alert issue #1" in again.stderr
    assert len(github.issues) == 1  # never a second one
    better, _ = run_action(tmp_path, netlify, ca_file, github, threshold="200", issue="true")
    assert better.returncode == 0, better.stderr
    assert "closed the alert issue #1" in better.stderr
    assert github.issues[0]["state"] == "closed"
    assert github.comments == [(1, alert_issue.RECOVERED)]
    calm, _ = run_action(tmp_path, netlify, ca_file, github, threshold="200", issue="true")
    assert "no alert issue to open or close" in calm.stderr
    assert len(github.issues) == 1
    # The GitHub token went to the fake GitHub alone, never to Netlify's API, nor into the log.
    assert set(github.authorizations) == {f"Bearer {GITHUB_TOKEN}"}
    assert not [r for r in netlify.requests if GITHUB_TOKEN in str(r.headers)]
    for run in (first, again, better, calm):
        assert GITHUB_TOKEN not in run.stdout + run.stderr


def test_a_team_that_could_not_be_checked_never_closes_the_alert_issue(
    tmp_path: Path, netlify: FakeNetlify, ca_file: Path, github: FakeGitHub
) -> None:
    """Side Projects opens the issue; then its figures fail while the rest are under: the issue
    stays open, says which team could not be checked, and nobody is told "back under"."""
    first, _ = run_action(tmp_path, netlify, ca_file, github, threshold="80", issue="true")
    assert "opened the alert issue #1" in first.stderr
    netlify.override(
        "/accounts/side-projects/bandwidth", error(500, "Internal Server Error"), repeat=True
    )
    failing, summary = run_action(tmp_path, netlify, ca_file, github, threshold="80", issue="true")
    assert failing.returncode == 1
    assert "kept the alert issue #1 open: a team could not be judged" in failing.stderr
    [issue] = github.issues
    assert issue["state"] == "open" and github.comments == []
    assert "Not known whether these reached 80 %" in issue["body"]
    assert "- Side Projects: it could not be checked" in issue["body"]
    assert "**No team known to be at or over 80 %.**" in summary
    assert alert_issue.RECOVERED not in issue["body"]


def test_a_token_without_issues_write_is_said_plainly(
    tmp_path: Path, netlify: FakeNetlify, ca_file: Path, github: FakeGitHub
) -> None:
    github.refuse = True
    result, _ = run_action(tmp_path, netlify, ca_file, github, threshold="80", issue="true")
    assert result.returncode == 1
    assert "GitHub refused the alert issue (HTTP 403)" in result.stderr
    assert "permissions: issues: write" in result.stderr


def test_the_action_names_its_inputs_and_pins_nothing_loose() -> None:
    assert set(ACTION["inputs"]) == {
        "threshold",
        "team",
        "units",
        "issue",
        "show-in-log",
        "github-token",
        "notify",
    }
    assert set(ACTION["outputs"]) == {"reached", "highest-share", "deploys-left", "unknown"}
    steps: list[dict[str, Any]] = ACTION["runs"]["steps"]
    assert ACTION["runs"]["using"] == "composite"
    assert not [step for step in steps if "uses" in step]


def test_a_team_name_cannot_become_a_workflow_command_in_the_log(
    tmp_path: Path, netlify: FakeNetlify, ca_file: Path, github: FakeGitHub
) -> None:
    teams = [
        {"slug": "acme", "name": "::error title=Hacked::pwned", "type_name": "Pro"},
        {"slug": "side-projects", "name": "  ::add-mask::x ##[warning]y", "type_name": "Starter"},
    ]
    netlify.override("/accounts", Reply(200, teams), repeat=True)
    result, _ = run_action(tmp_path, netlify, ca_file, github, threshold="80", show_in_log="true")
    assert result.returncode == 3
    lines = result.stdout.splitlines()
    [stop] = [line for line in lines if line.startswith("::stop-commands::")]
    resume = "::" + stop.removeprefix("::stop-commands::") + "::"
    assert lines[-1] == resume and len(resume) == 36
    # Between the two, nothing the runner could take for a command, even were it listening.
    shown = "\n".join(lines[lines.index(stop) + 1 : -1]) + result.stderr
    assert "pwned" in shown and "::" not in shown and "##[" not in shown


def outputs(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "output").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_its_outputs_can_gate_a_deploy_and_nothing_is_installed_without_notify(
    tmp_path: Path, netlify: FakeNetlify, ca_file: Path, github: FakeGitHub
) -> None:
    result, _ = run_action(tmp_path, netlify, ca_file, github, threshold="80")
    assert result.returncode == 3
    # Side Projects at 130 %; Credits Co has 135 credits left: 9 production deploys.
    assert outputs(tmp_path) == {
        "reached": "true",
        "highest-share": "130",
        "deploys-left": "9",
        "unknown": "0",
    }
    assert not (tmp_path / "runner-temp").exists()
    (tmp_path / "output").unlink()
    netlify.override("/accounts/acme/bandwidth", error(500, "Internal Server Error"), repeat=True)
    calm, _ = run_action(tmp_path, netlify, ca_file, github, threshold="200")
    assert calm.returncode == 1
    assert outputs(tmp_path) == {
        "reached": "false",
        "highest-share": "130",
        "deploys-left": "9",
        "unknown": "1",
    }


def test_with_notify_it_installs_the_pinned_apprise_and_says_so_where_asked(
    tmp_path: Path, netlify: FakeNetlify, ca_file: Path, github: FakeGitHub
) -> None:
    """The one test that installs from the package index: skipped, with the reason, where the
    index cannot be reached."""
    from tests.test_notify import SECRET, Target

    target = Target()
    try:
        result, _ = run_action(
            tmp_path, netlify, ca_file, github, threshold="80", notify=target.url
        )
    finally:
        target.close()
    if result.returncode not in (1, 3) or ("pip" in result.stderr and not target.received):
        pytest.skip(f"Apprise could not be installed here: {result.stderr.strip()[-300:]}")
    assert result.returncode == 3, result.stderr
    assert (tmp_path / "runner-temp" / "netlify-bandwidth-notify" / "bin" / "python").exists()
    [sent] = target.received
    assert sent["title"] == "Netlify: Side Projects has used 130 % of its bandwidth allowance"
    assert SECRET not in result.stdout + result.stderr


def test_a_run_whose_check_failed_still_writes_outputs_that_hold_a_gate_closed(
    tmp_path: Path, netlify: FakeNetlify, ca_file: Path, github: FakeGitHub
) -> None:
    netlify.override("/accounts", error(500, "Internal Server Error"), repeat=True)
    result, _ = run_action(tmp_path, netlify, ca_file, github, threshold="80")
    assert result.returncode == 1
    assert outputs(tmp_path) == {
        "reached": "false",
        "highest-share": "",
        "deploys-left": "",
        "unknown": "1",
    }
    (tmp_path / "output").unlink()
    netlify.override("/accounts/acme/bandwidth", error(503, "down"), repeat=True)
    named, _ = run_action(tmp_path, netlify, ca_file, github, threshold="80", team="acme")
    assert named.returncode == 1
    assert outputs(tmp_path)["unknown"] == "1"


def gate_open(values: dict[str, str]) -> bool:
    """The documented deploy gate's `if:` (docs/alerts.md), evaluated as the runner would for
    these outputs: a missing output reads as ''."""
    text = (ROOT / "docs" / "alerts.md").read_text()
    [expression] = re.findall(r"if: >-\n\s+(.+?\n\s+.+?)\n\s+run: netlify deploy", text)
    expression = " ".join(expression.split())
    clauses = expression.split(" && ")
    assert clauses == [
        "steps.netlify.outputs.unknown == '0'",
        "steps.netlify.outputs.deploys-left != ''",
        "fromJSON(steps.netlify.outputs.deploys-left) >= 3",
    ]
    left = values.get("deploys-left", "")
    return values.get("unknown", "") == "0" and left != "" and int(left) >= 3


def test_the_documented_deploy_gate_fails_closed() -> None:
    assert gate_open({"reached": "false", "deploys-left": "9", "unknown": "0"})
    assert not gate_open({"reached": "false", "deploys-left": "2", "unknown": "0"})
    assert not gate_open({"reached": "false", "deploys-left": "9", "unknown": "1"})
    assert not gate_open({})  # nothing written at all
    failed = {"reached": "false", "highest-share": "", "deploys-left": "", "unknown": "1"}
    assert not gate_open(failed)


def test_apprise_is_installed_from_wheels_alone() -> None:
    [step] = ACTION["runs"]["steps"]
    script = step["run"].replace("\\\n", " ")  # continued lines as one
    [install] = [line for line in script.splitlines() if "--require-hashes" in line]
    assert "--only-binary :all:" in install
