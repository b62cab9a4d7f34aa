"""The standard library cut to what the page imports, compiled ahead of time by Pyodide itself.

Python compiles every module it imports at each start, and that compiling is most of a stock
Pyodide's start-up time; compiled here, by the very runtime the page uses, it is not. runner.mjs
runs Pyodide under Node.js, and trim.py, inside it, runs every code path of the page's Python
and writes the zip of what they imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from publish.downloads import BuildError

HERE = Path(__file__).resolve().parent


def trimmed_stdlib(package: dict[str, bytes], app_zip: bytes) -> bytes:
    """`package` is the runtime's files by name; `app_zip` the checker's Python."""
    if shutil.which("node") is None:
        raise BuildError("precompiling the standard library needs Node.js (`node`), not found.")
    print("build: precompiling the standard library under Node.js", file=sys.stderr)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        for name, data in package.items():
            (folder / name).write_bytes(data)
        (folder / "app.zip").write_bytes(app_zip)
        shutil.copy(HERE / "trim.py", folder / "trim.py")
        result = subprocess.run(
            ["node", str(HERE / "runner.mjs")],
            env={**os.environ, "BUILD_DIR": str(folder)},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not (folder / "stdlib.zip").exists():
            # Python's own traceback, if it has one, rather than the minified runtime around it.
            said = result.stderr
            start = said.rfind("Traceback (most recent call last)")
            raise BuildError(
                "precompiling the standard library failed:\n"
                + (said[start:][:3000] if start >= 0 else said[-3000:])
            )
        print(result.stderr.strip().splitlines()[-1], file=sys.stderr)
        return (folder / "stdlib.zip").read_bytes()
