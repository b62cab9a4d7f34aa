"""Shipped as `sitecustomize` in a copy of the site's standard library by benchmarks/imports.py,
never to the page: Python's `site` imports it as the interpreter starts, before Pyodide's own
start imports anything. From then on every module loaded is logged, with how deeply it was
imported and how long its import took with what it imported in turn.

Python's import-time profile (PYTHONPROFILEIMPORTTIME) cannot do this in Pyodide: it misses the
imports Pyodide's C start makes (`_pyodide`, traceback, asyncio). Every import, whether an
`import` statement, `from package import submodule`, `importlib.import_module()` or C's
`PyImport_ImportModule()`, loads a module through importlib's `_find_and_load`, looked up on
importlib's bootstrap module each time: the clock wraps it there.
"""

from __future__ import annotations

import _frozen_importlib
import sys
import time
from typing import TYPE_CHECKING

# Imported for the type checker only: importing them here would take them out of the log.
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

# (depth, module, microseconds with what it imported), in the order the imports finished.
LOG: list[tuple[int, str, int]] = []
_find_and_load = _frozen_importlib._find_and_load
_depth = 0


def _clocked(name: str, import_: Callable[..., ModuleType]) -> ModuleType:
    global _depth
    new = name not in sys.modules
    started = time.perf_counter_ns()
    _depth += 1
    try:
        return _find_and_load(name, import_)
    finally:
        _depth -= 1
        if new and name in sys.modules:
            LOG.append((_depth, name, (time.perf_counter_ns() - started) // 1000))


_frozen_importlib._find_and_load = _clocked
