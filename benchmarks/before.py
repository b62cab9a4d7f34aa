"""An earlier commit of the checker, checked out beside this one, for a benchmark to measure in
the same run as the code in front of it (`--before COMMIT`)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def checkout(commit: str, folder: Path) -> Iterator[Path]:
    """`commit` in a temporary git worktree under `folder`, removed afterwards."""
    path = folder / f"before-{commit}"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), commit],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    try:
        yield path
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)
