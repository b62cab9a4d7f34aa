"""pyodide.webloop as the page's Python has it: Pyodide's start installs its event loop from
here, and the page's Python runs none (see asyncio/__init__.py beside this)."""

# Held as Pyodide's own module holds it: a memory snapshot (the page's revisits) expects
# Python's references to JavaScript objects in the order Pyodide's start makes them.
from pyodide_js._api import scheduleCallback  # noqa: F401


def _initialize_event_loop() -> None:
    """No event loop to install: asyncio is left out."""
