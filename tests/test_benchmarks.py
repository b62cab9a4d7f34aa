"""Every benchmark still starts: each is a script run by hand (docs/speed.md), and one whose
imports broke is found here rather than the next time its figures are wanted. Only `--help`,
but for one trial of benchmarks/engines.py in Chromium, whose figures are not judged, only that
it runs and marks every stage of the start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.stages import STAGES
from tests.conftest import ROOT

SCRIPTS = sorted(
    path.name for path in (ROOT / "benchmarks").glob("*.py") if "__main__" in path.read_text()
)


def run(script: str, *args: str, timeout_s: float = 60) -> str:
    """What the benchmark printed, once it has exited without an error."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_benchmark_starts_and_says_how_to_run_it(script: str) -> None:
    assert run(script, "--help").startswith("usage:")


def test_the_engines_benchmark_runs_a_trial_and_shows_where_the_start_goes(dist: Path) -> None:
    # --dist: the suite's own site. Without it the benchmark would build dist/ afresh, without
    # the sign-in client id the session's site was built with, and break the journeys after it.
    printed = run(
        "engines.py", "--trials", "1", "--engines", "chromium", "--dist", str(dist), timeout_s=300
    )
    lines = printed.splitlines()
    [row] = [line for line in lines if line.startswith("| chromium |")]
    cells = [cell.strip() for cell in row.split("|")[1:-1]]
    assert 0 < float(cells[2]) < 10 and 0 < float(cells[5]) < 100
    # Every stage of the start was marked: the page's first, the session made last.
    reached = [line.split("|")[2].strip() for line in lines if "(`python" in line]
    assert len(reached) == len(STAGES) and "none" not in reached
    times = [float(cell) for cell in reached]
    assert times[0] == min(times) and times[-1] == max(times)


def test_the_imports_benchmark_clocks_pyodides_start_and_the_checkers_import(dist: Path) -> None:
    printed = run("imports.py", "--trials", "1", "--top", "100", "--dist", str(dist))
    start, checker = printed.split("Importing checker.session")
    # Pyodide's own start, whose imports Python's import-time profile cannot see, and the
    # checker's modules after it: each under its own heading, none in the other's table.
    assert "| `_pyodide._core_docs` |" in start and "| `traceback` |" in start
    assert "| `checker.netlify.api` |" in checker and "checker." not in start
    assert "| `asyncio.base_events` |" not in printed  # the stand-in, not the real asyncio
