"""Text from Netlify as a reader is shown it, on the page and in a terminal alike.

Team names, plans, a team's state and the names of its sites are written by whoever runs the
team. Drawn as text nodes they run nothing on the page, but a bidirectional override reorders
what follows it on screen ("Sites over: ‮moc.elpmaxe" reads backwards), and a control character
is nothing a reader can see. Every text of a card passes here (card.py), and the terminal's own
filter (checker/outputs/terminal.py) is this one.
"""

from __future__ import annotations

# Bidirectional overrides and isolates reorder what follows them on screen.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def shown_text(text: str) -> str:
    """`text` with every control character replaced, so that it shows as it reads."""
    return "".join("\ufffd" if _is_control(char) else char for char in text)


def _is_control(char: str) -> bool:
    # Unicode's category Cc (C0, DEL and C1), and the bidirectional controls.
    return ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or char in _BIDI_CONTROLS
