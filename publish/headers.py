"""The site's response headers: netlify.toml's [[headers]] and the build's _headers, as rules.

Netlify documents that every rule whose path matches a request applies, but not what happens
when two of them set the same header. Read in the strictest way, both values are sent, and a
browser then enforces both policies (for a CSP, the stricter of each directive) or reads a
cache header it cannot make sense of. So the rules must be disjoint: no header name set by two
rules that match one path. The local server sends every matching rule's headers, doubles
included, and the build refuses rules that overlap on any file it publishes.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Netlify reads this file from the publish directory, alongside netlify.toml's rules.
HEADERS_FILE = "_headers"
CONFIG = Path(__file__).resolve().parents[1] / "netlify.toml"


@dataclass(frozen=True)
class Rule:
    path: str  # as written: "/*", "/widget.html", "/pyodide/*"
    values: tuple[tuple[str, str], ...]
    source: str

    def matches(self, path: str) -> bool:
        return _pattern(self.path).match(path) is not None


def _pattern(rule_path: str) -> re.Pattern[str]:
    # A "*" takes the rest of the path; a ":name" segment takes one segment (as Netlify's CLI).
    parts = []
    for piece in re.split(r"(\*|:[A-Za-z_]+)", rule_path):
        if piece == "*":
            parts.append(".*")
        elif piece.startswith(":"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts) + r"\Z")


def from_toml(config: Path) -> list[Rule]:
    rules = []
    for rule in tomllib.loads(config.read_text()).get("headers", []):
        values = tuple(
            (name, " ".join(str(value).split())) for name, value in rule.get("values", {}).items()
        )
        rules.append(Rule(rule["for"], values, config.name))
    return rules


def from_headers_file(path: Path) -> list[Rule]:
    """Netlify's _headers syntax: a path at the line's start, its headers indented below."""
    if not path.exists():
        return []
    rules: list[Rule] = []
    current: tuple[str, list[tuple[str, str]]] | None = None
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            if current:
                rules.append(Rule(current[0], tuple(current[1]), path.name))
            current = (line.strip(), [])
        elif current:
            name, _, value = line.strip().partition(":")
            current[1].append((name.strip(), value.strip()))
    if current:
        rules.append(Rule(current[0], tuple(current[1]), path.name))
    return rules


def write_headers_file(path: Path, paths: Iterable[str], values: dict[str, str]) -> None:
    lines = [f"# Written by build.py: {', '.join(values)} for exactly these files."]
    for file in paths:
        lines.append(file)
        lines += [f"  {name}: {value}" for name, value in values.items()]
    path.write_text("\n".join(lines) + "\n")


def sent_for(path: str, rules: list[Rule]) -> list[tuple[str, str]]:
    """Every header that matching rules set, each as often as a rule sets it."""
    return [pair for rule in rules if rule.matches(path) for pair in rule.values]


def overlaps(paths: Iterable[str], rules: list[Rule]) -> list[str]:
    """One line for each path where two rules set the same header."""
    found = []
    for path in paths:
        setters: dict[str, list[Rule]] = {}
        for rule in rules:
            if rule.matches(path):
                for name, _ in rule.values:
                    setters.setdefault(name.lower(), []).append(rule)
        for name, by in setters.items():
            if len(by) > 1:
                where = " and ".join(f'"{rule.path}" ({rule.source})' for rule in by)
                found.append(f"{path}: {name} is set by {where}")
    return found


def published_paths(dist: Path) -> list[str]:
    """The paths a browser can ask the site for: every file, and / for the page."""
    files = sorted(
        "/" + str(file.relative_to(dist))
        for file in dist.rglob("*")
        if file.is_file() and file.name != HEADERS_FILE
    )
    return ["/", *files]


def site_rules(directory: Path) -> list[Rule]:
    """netlify.toml's rules, then those the build wrote into `directory`'s _headers."""
    return from_toml(CONFIG) + from_headers_file(directory / HEADERS_FILE)
