"""What the project's documents promise about the code: every message the page's scripts post is
written down, and the README stays a front door whose links lead somewhere."""

from __future__ import annotations

import re

from tests.conftest import ROOT

DOCS = ROOT / "docs"


def posted_message_types() -> set[str]:
    """Every `type` a script of static/ posts, to a worker, a window or a frame."""
    types: set[str] = set()
    for script in (ROOT / "static").glob("*.js"):
        text = script.read_text()
        types |= set(re.findall(r'(?:postMessage|post)\(\{ type: "([\w:-]+)"', text))
        # A type named by a constant of the script's own.
        for name in re.findall(r"postMessage\(\{ type: ([A-Z_]+)", text):
            [value] = re.findall(rf'const {name} = "([\w:-]+)"', text)
            types.add(value)
    return types


def test_every_message_type_the_page_posts_is_documented() -> None:
    documented = " ".join(path.read_text() for path in DOCS.glob("*.md"))
    types = posted_message_types()
    # The worker's answers, the page's check, and the messages between windows.
    assert {"check", "result", "partial", "netlify-bandwidth-checker:token"} <= types
    missing = sorted(name for name in types if f"`{name}`" not in documented)
    assert not missing, f"posted by static/ but not described in docs/: {missing}"
