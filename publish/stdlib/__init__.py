"""The standard library cut to what the page imports, compiled ahead of time by Pyodide itself.

Python compiles every module it imports at each start, and that compiling is most of a stock
Pyodide's start-up time; compiled here, by the very runtime the page uses, it is not. runner.mjs
runs Pyodide under Node.js, and trim.py, inside it, runs every code path of the page's Python
and writes the zip of what they imported.

Before that, the modules in standins/ take the place of Pyodide's own of the same path: what
Pyodide imports as it starts only for what the page never does (awaiting, installing packages).
Pyodide then starts with them under Node.js here as it will in the browser, and what the real
ones would have imported is neither run nor shipped.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from publish.downloads import BuildError

HERE = Path(__file__).resolve().parent
STANDINS = HERE / "standins"


def with_standins(stock: bytes) -> bytes:
    """Pyodide's standard library zip with each stand-in's source in place of the module's."""
    standins = {
        path.relative_to(STANDINS).as_posix(): path.read_bytes()
        for path in sorted(STANDINS.rglob("*.py"))
    }
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(stock)) as source, zipfile.ZipFile(out, "w") as target:
        names = set(source.namelist())
        missing = sorted(set(standins) - names)
        if missing:
            raise BuildError(f"a stand-in replaces no module of Pyodide's: {missing}")
        for info in source.infolist():
            replaced = standins.get(info.filename)
            target.writestr(info, source.read(info) if replaced is None else replaced)
    return out.getvalue()


def trimmed_stdlib(package: dict[str, bytes], app_zip: bytes) -> bytes:
    """`package` is the runtime's files by name; `app_zip` the checker's Python."""
    if shutil.which("node") is None:
        raise BuildError("precompiling the standard library needs Node.js (`node`), not found.")
    print("build: precompiling the standard library under Node.js", file=sys.stderr)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        for name, data in package.items():
            (folder / name).write_bytes(
                with_standins(data) if name == "python_stdlib.zip" else data
            )
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
