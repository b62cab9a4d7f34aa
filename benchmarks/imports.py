"""Where importing the checker's Python goes, module by module, in the pinned Pyodide.

    .venv/bin/python benchmarks/imports.py [--trials N] [--top N] [--dist DIR]

Runs the built site's runtime and standard library (the checker compiled into it, as the page
gets them) under Node.js, with Python's import-time profile (PYTHONPROFILEIMPORTTIME), and prints
the medians over the trials of each module's own import time and the whole checker's, largest
first. Node.js runs the same WebAssembly as Chromium's engine, so the shares carry; the browser's
totals per stage, in each engine, come from benchmarks/engines.py.
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
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402


def inflate(dist: Path, into: Path) -> Path:
    """The site's runtime as Pyodide reads it from disk: every file whole, none gzipped."""
    runtime = dist / "pyodide" / build.PYODIDE_VERSION
    for path in runtime.iterdir():
        if path.suffix == ".gz":
            (into / path.stem).write_bytes(gzip.decompress(path.read_bytes()))
        else:
            shutil.copy(path, into / path.name)
    [stdlib] = into.glob("python_stdlib*.zip")
    return stdlib


def profile(runtime: Path, stdlib: Path) -> tuple[dict[str, int], str]:
    """Each checker module's own import time in microseconds, and the run's summary line."""
    env = {**os.environ, "RUNTIME_DIR": str(runtime), "STDLIB": str(stdlib)}
    out = subprocess.run(
        ["node", str(ROOT / "benchmarks" / "imports.mjs")],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    own: dict[str, int] = {}
    after = out.split("--- checker\n", 1)[1]
    for line in after.splitlines():
        if line.startswith("import time:") and "|" in line:
            self_us, _, name = (part.strip() for part in line[12:].split("|"))
            if self_us.isdigit():
                own[name] = int(self_us)
    return own, after.splitlines()[-1].removeprefix("--- ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--dist", type=Path, help="a built site, instead of building dist/")
    args = parser.parse_args()
    if shutil.which("node") is None:
        parser.error("needs Node.js (`node`)")
    dist = args.dist or build.build()
    times: dict[str, list[int]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as work:
        stdlib = inflate(dist, Path(work))
        for trial in range(args.trials):
            own, summary = profile(Path(work), stdlib)
            for name, micros in own.items():
                times[name].append(micros)
            print(f"trial {trial + 1}/{args.trials}: {summary}", file=sys.stderr)
    medians = {name: statistics.median(values) for name, values in times.items()}
    total = sum(medians.values())
    print(f"\nImporting checker.session: {total / 1000:.1f} ms in all, medians of {args.trials}.\n")
    print("| module | own import time | share |")
    print("|---|---|---|")
    for name, micros in sorted(medians.items(), key=lambda item: -item[1])[: args.top]:
        print(f"| `{name}` | {micros / 1000:.1f} ms | {micros / total:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
