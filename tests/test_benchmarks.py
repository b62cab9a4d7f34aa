"""The benchmarks still run: each is a script measured by hand (docs/speed.md), and one that no
longer starts is found here rather than when its figures are next wanted. One trial, in
Chromium alone, to keep the suite fast."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_the_engines_benchmark_runs_a_trial_and_prints_its_table() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "engines.py"),
            "--trials",
            "1",
            "--engines",
            "chromium",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    [row] = [line for line in result.stdout.splitlines() if line.startswith("| chromium |")]
    cells = [cell.strip() for cell in row.split("|")[1:-1]]
    ready_ratio, check_ratio = float(cells[2]), float(cells[5])
    assert 0 < ready_ratio < 10 and 0 < check_ratio < 100
