"""Text from elsewhere made safe to print to a terminal.

Team names and plans are written by whoever owns a team, and a server (or a proxy between) writes
its own status lines and headers. A terminal obeys the escape sequences in what it prints: one
could set the clipboard (OSC 52), retitle the window or rewrite the lines above. Nothing from
outside reaches a terminal without passing here.
"""

from __future__ import annotations

# Bidirectional overrides and isolates reorder what follows them on screen.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_text(text: str) -> str:
    """`text` with every control character replaced, so that it prints as it reads."""
    return "".join("\ufffd" if _is_control(char) else char for char in text)


def _is_control(char: str) -> bool:
    # Unicode's category Cc (C0, DEL and C1), and the bidirectional controls.
    return ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or char in _BIDI_CONTROLS


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
