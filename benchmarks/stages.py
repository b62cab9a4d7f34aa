"""The start of Python, stage by stage, as the page marks it: `python-start` when it creates the
worker, the worker's own `python:<stage>` marks (static/runtime.js, marked on the page's
timeline by static/python.js), and `python-ready`. Read by benchmarks/engines.py (a cold start
in each engine) and benchmarks/startup.py (a revisit, in Chromium)."""

from __future__ import annotations

import statistics
from typing import Any

# Each stage in the order it is reached, and what it stands for.
STAGES = {
    "python-start": "the page creates the worker",
    "python:worker-started": "the worker's script has run",
    "python:pyodide-imported": "Pyodide's JavaScript imported",
    "python:wasm-compiling": "the WebAssembly handed to the engine",
    "python:runtime-fetched": "every runtime file arrived",
    "python:wasm-instantiated": "the WebAssembly compiled and instantiated",
    "python:interpreter-started": "the interpreter started (or restored), its library mounted",
    "python-ready": "the page hears `ready`",
    "python:checker-imported": "the checker's Python imported, after `ready`",
    "python:session-made": "the session made",
}

# A script that gives every such mark as [name, ms from navigation].
MARKS = (
    "performance.getEntriesByType('mark')"
    ".filter((m) => m.name.startsWith('python')).map((m) => [m.name, m.startTime])"
)


def reached(marks: Any) -> dict[str, float]:
    """When each stage was reached, in milliseconds from navigation, from MARKS' answer."""
    return {str(name): float(at) for name, at in marks}


def table(columns: dict[str, list[dict[str, float]]]) -> list[str]:
    """A Markdown table: each stage's median time, one column for each list of trials."""
    lines = [f"| stage | {' | '.join(columns)} |", f"|---|{'---|' * len(columns)}"]
    for name, meaning in STAGES.items():
        cells = []
        for trials in columns.values():
            times = [trial[name] for trial in trials if name in trial]
            cells.append(f"{statistics.median(times):.0f}" if times else "none")
        lines.append(f"| {meaning} (`{name}`) | {' | '.join(cells)} |")
    return lines
