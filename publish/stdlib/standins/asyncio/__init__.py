"""asyncio as the page's Python has it: nothing but the one name Pyodide's start reads.

Pyodide imports asyncio as it starts, so that Python could await a JavaScript promise, and with
it sockets, ssl, subprocesses, logging and threads: about a seventh of the interpreter's start
(docs/speed.md). The page's Python never awaits anything: the worker sends the requests and
hands Python the answers. So the page ships this in asyncio's place (publish/stdlib/__init__.py),
and the command line, on CPython, has the real one.
"""

from typing import NoReturn


def get_event_loop() -> NoReturn:
    """Kept by Pyodide's start, called only by Python awaiting a promise, which none does."""
    raise RuntimeError("asyncio is not part of this page's Python")
