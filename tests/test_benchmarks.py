"""Every benchmark still starts: each is a script run by hand (docs/speed.md), and one whose
imports broke is found here rather than the next time its figures are wanted. Only `--help`:
measuring inside the suite would disturb the tests around it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

SCRIPTS = sorted(
    path.name for path in (ROOT / "benchmarks").glob("*.py") if "__main__" in path.read_text()
)


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_benchmark_starts_and_says_how_to_run_it(script: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("usage:")
