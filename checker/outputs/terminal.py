"""Text from elsewhere made safe to print to a terminal.

Team names and plans are written by whoever owns a team, and a server (or a proxy between) writes
its own status lines and headers. A terminal obeys the escape sequences in what it prints: one
could set the clipboard (OSC 52), retitle the window or rewrite the lines above. Nothing from
outside reaches a terminal without passing here.
"""

from __future__ import annotations

# The reader's filter (checker/view/text.py): a terminal is shown what the page is.
from checker.view.text import shown_text as terminal_text

# A workflow's runner reads `::command::` at the start of a line (after spaces too) and the
# legacy `##[command]` anywhere in one.
_WORKFLOW_COMMANDS = (("::", ":\u200c:"), ("##[", "#\u200c#["))


def log_text(text: str) -> str:
    """`text` safe for a terminal and for a GitHub Actions log: no control character, and no
    sequence the runner would take for a workflow command (a joiner breaks each one up)."""
    text = terminal_text(text)
    for command, broken in _WORKFLOW_COMMANDS:
        text = text.replace(command, broken)
    return text
