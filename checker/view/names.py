"""Names as Netlify lists them, in a card's few words."""

from __future__ import annotations


def listed(names: tuple[str, ...], what: str) -> str:
    """Names as Netlify lists them: the first five, and how many more."""
    named = [name for name in names if name][:5]
    rest = len(names) - len(named)
    more = f"{rest} more {what}{'s' * (rest != 1)}" if rest else ""
    return ", ".join(filter(None, [*named, more]))
