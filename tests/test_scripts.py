"""Every script of the site parses, as written and as the build fills it in; Node.js checks it.

The page's modules, its workers, embed.js and the build's own Node program: a syntax error in any
of them would otherwise show only in a browser, and in one engine's words.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

SOURCES = sorted(
    [
        *(ROOT / "static").glob("*.js"),
        *(ROOT / "publish").rglob("*.mjs"),
        *(ROOT / "plugin").glob("*.mjs"),
        *(ROOT / "tests" / "scripts").glob("*.js"),
    ]
)


def parses(script: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # As .mjs, which every Node.js parses as a module: strict mode, imports allowed.
    copy = tmp_path / (script.stem + ".mjs")
    shutil.copy(script, copy)
    return subprocess.run(
        ["node", "--check", str(copy)], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("script", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_each_script_parses_as_written(script: Path, tmp_path: Path) -> None:
    result = parses(script, tmp_path)
    assert result.returncode == 0, result.stderr


def test_each_script_parses_as_the_build_filled_it_in(dist: Path, tmp_path: Path) -> None:
    built = [*(dist / "static").glob("*.js"), dist / "sw.js", dist / "embed.js"]
    # All but runtime.js, which the build folds into worker.js.
    assert len(built) == len([s for s in SOURCES if s.parent.name == "static"]) - 1
    for script in built:
        result = parses(script, tmp_path)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"
        assert not re.search(r"%[A-Z_]+%", script.read_text()), f"{script.name}: not filled in"


def test_the_guard_would_notice_a_syntax_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.js"
    broken.write_text("const FILES = %FILES%;\n")
    assert parses(broken, tmp_path).returncode != 0
