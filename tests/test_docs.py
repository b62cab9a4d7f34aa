"""What the project's documents promise about the code: every message the page's scripts post is
written down, and the README stays a front door whose links lead somewhere."""

from __future__ import annotations

import re
import subprocess

from checker.figures.credits import BANDWIDTH, CREDITS_PER_GB, GB
from tests.conftest import ROOT

DOCS = ROOT / "docs"


# The scripts on each side of the page's worker; every other script posts between windows.
WORKER_SIDE = {"worker.js", "python.js", "runtime.js", "sw.js"}
# The one table of the worker's message types, by name.
MESSAGES = dict(re.findall(r'([A-Z_]+): "([\w:-]+)"', (ROOT / "static/messages.js").read_text()))


def posted_message_types() -> dict[str, set[str]]:
    """Every `type` each script of static/ posts, to a worker, a window or a frame."""
    posted = {}
    for script in sorted((ROOT / "static").glob("*.js")):
        text = script.read_text()
        types = set(re.findall(r'(?:postMessage|post)\(\{ type: "([\w:-]+)"', text))
        # A type named by a constant of the script's own.
        for name in re.findall(r"postMessage\(\{ type: ([A-Z_]+)[,\s}]", text):
            [value] = re.findall(rf'const {name} = "([\w:-]+)"', text)
            types.add(value)
        # A type of the table the page and its worker share (static/messages.js).
        types |= {MESSAGES[name] for name in re.findall(r"type: MESSAGE\.([A-Z_]+)", text)}
        posted[script.name] = types
    return posted


def test_every_message_type_the_page_posts_is_in_its_protocols_table() -> None:
    """Each in a row of its own of the protocol it belongs to: the page and its worker
    (worker-protocol.md), or the widget, its token window and the blog (window-protocol.md)."""
    posted = posted_message_types()
    every = set().union(*posted.values())
    # The worker's answers, the page's check, and the messages between windows.
    assert {"check", "result", "partial", "netlify-bandwidth-checker:token"} <= every
    missing = []
    for script, types in posted.items():
        doc = "worker-protocol.md" if script in WORKER_SIDE else "window-protocol.md"
        rows = (DOCS / doc).read_text()
        missing += [
            f"{name} ({script}) in {doc}"
            for name in sorted(types)
            if not re.search(rf"^\| `{re.escape(name)}` \|", rows, re.MULTILINE)
        ]
    assert not missing, f"posted by static/ but not a row of its protocol's table: {missing}"


def test_the_readme_is_a_front_door() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    for target in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / target).is_file(), f"README links to {target}, which does not exist"


def test_the_file_map_names_every_file() -> None:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    described = (DOCS / "files.md").read_text()
    missing = [path for path in listed if f"`{path}`" not in described]
    assert not missing, f"docs/files.md does not name: {missing}"


def test_the_documents_state_the_rate_the_code_uses() -> None:
    sentence = f"{CREDITS_PER_GB} credits per GB, Netlify's rate since 14 April 2026"
    assert BANDWIDTH.since.isoformat() == "2026-04-14"
    assert sentence in (ROOT / "README.md").read_text()
    assert sentence in (DOCS / "figures.md").read_text()
    schema = (DOCS / "json-schema.md").read_text()
    assert f'"credits_per_gb": {CREDITS_PER_GB}, "bytes_per_gb": {GB}' in schema


def test_the_page_and_its_worker_name_message_types_from_one_table() -> None:
    """No type is written as a bare string on either side: each comes from static/messages.js,
    and every entry of it is posted by one side or the other."""
    sides = [ROOT / "static" / name for name in ("worker.js", "python.js", "runtime.js")]
    for script in sides:
        text = script.read_text()
        bare = re.findall(
            r'postMessage\(\{ type: "([\w:-]+)"|case "([\w:-]+)":|data\.type !== "([\w:-]+)"', text
        )
        assert not [found for found in bare if any(found)], (script.name, bare)
    posted = posted_message_types()
    assert set(MESSAGES.values()) == set().union(*(posted[s.name] for s in sides))
