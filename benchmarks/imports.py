"""Where Pyodide's start and the checker's import go, module by module, in the pinned Pyodide.

    .venv/bin/python benchmarks/imports.py [--trials N] [--top N] [--dist DIR]

Runs the built site's runtime and standard library (the checker compiled into it, as the page
gets them) under Node.js, with benchmarks/import_clock.py added to that library as
`sitecustomize`, which clocks every import from the interpreter's first moments. Prints, for
Pyodide's start (everything before `ready`) and for the checker's import (after it), the
medians over the trials of each module's own import time (without what it imported in turn),
largest first, and each part's total. Node.js runs the same WebAssembly as Chromium's engine, so
the shares carry; the browser's totals per stage, in each engine, come from
benchmarks/engines.py.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402

PARTS = ("start", "checker")


def inflate(dist: Path, into: Path) -> Path:
    """The site's runtime as Pyodide reads it from disk, every file whole, none gzipped; and its
    standard library with the import clock in it."""
    runtime = dist / "pyodide" / build.PYODIDE_VERSION
    for path in runtime.iterdir():
        if path.suffix == ".gz":
            (into / path.stem).write_bytes(gzip.decompress(path.read_bytes()))
        else:
            shutil.copy(path, into / path.name)
    [stdlib] = into.glob("python_stdlib*.zip")
    with zipfile.ZipFile(stdlib, "a") as archive:
        archive.write(ROOT / "benchmarks" / "import_clock.py", "sitecustomize.py")
    return stdlib


def own_times(lines: list[str]) -> dict[str, int]:
    """Each module's own import time in microseconds: its clocked time less that of the modules
    it imported, which the log lists, one level deeper, just before it."""
    own: dict[str, int] = {}
    within: dict[int, int] = defaultdict(int)  # clocked time of finished imports, by depth
    for line in lines:
        depth_text, name, micros_text = line.split("|")
        depth, micros = int(depth_text), int(micros_text)
        own[name] = micros - within.pop(depth + 1, 0)
        within[depth] += micros
    return own


def profile(runtime: Path, stdlib: Path) -> tuple[dict[str, dict[str, int]], dict[str, float]]:
    """Each part's modules' own import times, and each part's whole time in microseconds."""
    out = subprocess.run(
        ["node", str(ROOT / "benchmarks" / "imports.mjs")],
        env={**os.environ, "RUNTIME_DIR": str(runtime), "STDLIB": str(stdlib)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    sections: dict[str, list[str]] = {part: [] for part in PARTS}
    current = None
    totals: dict[str, float] = {}
    for line in out.splitlines():
        if line.startswith("--- totals "):
            totals = dict(zip(PARTS, map(float, line.split()[2:]), strict=True))
        elif line.startswith("--- "):
            current = line.removeprefix("--- ")
        elif line and current in sections:
            sections[current].append(line)
    return {part: own_times(lines) for part, lines in sections.items()}, totals


def table(title: str, times: dict[str, list[int]], totals: list[float], top: int) -> None:
    medians = {name: statistics.median(values) for name, values in times.items()}
    whole = statistics.median(totals)
    imports = sum(medians.values()) / 1000
    print(f"\n{title}: {whole / 1000:.1f} ms in all, {imports:.1f} of it importing modules.\n")
    print("| module | own import time | share of the whole |")
    print("|---|---|---|")
    for name, micros in sorted(medians.items(), key=lambda item: -item[1])[:top]:
        print(f"| `{name}` | {micros / 1000:.1f} ms | {micros / whole:.0%} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--dist", type=Path, help="a built site, instead of building dist/")
    args = parser.parse_args()
    if shutil.which("node") is None:
        parser.error("needs Node.js (`node`)")
    dist = args.dist or build.build()
    times: dict[str, dict[str, list[int]]] = {part: defaultdict(list) for part in PARTS}
    totals: dict[str, list[float]] = {part: [] for part in PARTS}
    with tempfile.TemporaryDirectory() as work:
        stdlib = inflate(dist, Path(work))
        for trial in range(args.trials):
            own, whole = profile(Path(work), stdlib)
            for part in PARTS:
                totals[part].append(whole[part])
                for name, micros in own[part].items():
                    times[part][name].append(micros)
            print(f"trial {trial + 1}/{args.trials} done", file=sys.stderr)
    print(f"Medians of {args.trials} runs under Node.js.")
    table("Pyodide's start, to `ready`", times["start"], totals["start"], args.top)
    table("Importing checker.session, after `ready`", times["checker"], totals["checker"], args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
