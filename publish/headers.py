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

from publish.downloads import BuildError

# Netlify reads this file from the publish directory, alongside netlify.toml's rules.
HEADERS_FILE = "_headers"
CONFIG = Path(__file__).resolve().parents[1] / "netlify.toml"
# Only files that exist are cached for a year: a missing one (a deploy still on its way, say)
# must not be pinned in a reader's browser as a 404.
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}


@dataclass(frozen=True)
class Rule:
    path: str  # as written: "/*", "/widget.html", "/pyodide/*"
    values: tuple[tuple[str, str], ...]
    source: str

    def matches(self, path: str) -> bool:
        return _pattern(self.path).match(path) is not None


def _pattern(rule_path: str) -> re.Pattern[str]:
    """A rule's path as Netlify's own headers parser reads it (`@netlify/headers-parser`'s
    `getForRegExp`, which `tests/test_headers.py` runs beside this): each segment trimmed at
    its end and empty ones dropped, a standalone "*" takes the rest of the path and makes the
    slash before it optional (so "/static/*" matches "/static" and "/staticfoo" too), a "*"
    inside a segment takes anything, a ":name" segment one segment, letters match in either
    case, and a trailing slash is optional. It is matched against the path as requested, before
    any percent-escape is decoded."""
    parts = [_part(part.rstrip()) for part in rule_path.split("/") if part.rstrip()]
    return re.compile("/" + "/".join(parts) + r"/?\Z", re.IGNORECASE)


def _part(part: str) -> str:
    if part.startswith(":"):
        return "([^/]+)"
    if part == "*":
        return "?(.*)"
    return ".*".join(re.escape(piece) for piece in part.split("*"))


@dataclass(frozen=True)
class Redirect:
    source: str  # netlify.toml's `from`: a path, matched exactly
    to: str
    status: int
    force: bool


def redirects_from_toml(config: Path) -> list[Redirect]:
    return [
        Redirect(rule["from"], rule["to"], int(rule.get("status", 301)), bool(rule.get("force")))
        for rule in tomllib.loads(config.read_text()).get("redirects", [])
    ]


def redirect_for(path: str, redirects: list[Redirect], *, served: bool) -> Redirect | None:
    """The rule that redirects `path`; one without `force` yields to a page served there."""
    for rule in redirects:
        if rule.source == path and (rule.force or not served):
            return rule
    return None


def page_addresses(dist: Path) -> dict[str, str]:
    """Every address Netlify may serve a page of `dist` at, and that page's own address.

    Netlify serves `token.html` at `/token` too, with no rule ("pretty URLs"), and with its
    Pretty URLs setting on it redirects `/token.html` there; `index.html` is served at `/`
    and `/index`. Header rules match the address as requested, so each needs the page's rules.
    (Trailing slashes and case are covered by how a rule matches: see `_pattern`.)
    """
    addresses = {}
    for page in sorted(dist.rglob("*.html")):
        own = "/" + str(page.relative_to(dist))
        canonical = own.removesuffix("index.html") if page.name == "index.html" else own
        for address in (own, own.removesuffix(".html"), canonical):
            addresses[address] = canonical
    return addresses


def other_forms(address: str) -> list[str]:
    """Forms of an address a CDN may still serve the page at: its slash, its case, its dot
    escaped. The local server serves none of them, but check-deploy asks a live site for each."""
    if address == "/":
        return []
    forms = [address + "/", "/" + address[1:2].upper() + address[2:], address.upper()]
    if address.endswith(".html"):
        forms.append(address.removesuffix(".html") + "%2Ehtml")
    return forms


def page_rules(dist: Path, rules: list[Rule]) -> list[Rule]:
    """For each address a page of `dist` may be served at, the page's own rules: the rules of
    netlify.toml for the page's own address, copied by the build so that no copy can drift.

    Rules that already match an address (the page's own, and "/*") are not copied for it.
    """
    written = []
    for address, canonical in page_addresses(dist).items():
        own = [rule for rule in rules if rule.path == canonical and rule.path != "/*"]
        if not own or any(rule.matches(address) for rule in own):
            continue
        values = tuple(pair for rule in own for pair in rule.values)
        written.append(Rule(address, values, HEADERS_FILE))
    return written


def unguarded(dist: Path, rules: list[Rule], redirects: list[Redirect]) -> list[str]:
    """One line for each address of a page that is not sent exactly its page's headers, and for
    each redirect from one: with Netlify's Pretty URLs on, a redirect between a page's addresses
    can loop (/token to /token.html, and Netlify's own back to /token)."""
    found = []
    for address, canonical in page_addresses(dist).items():
        for form in (address, *other_forms(address)):
            if "%" in form:
                # Netlify matches rules before decoding, so no rule can cover every escaped
                # form: what a CDN serves there is check-deploy's to ask a live site.
                continue
            sent, intended = sent_for(form, rules), sent_for(canonical, rules)
            missing = sorted({name for name, _ in set(intended) - set(sent)})
            if missing:
                found.append(f"{form}: serves {canonical} without its {', '.join(missing)}")
            elif not any(
                name.lower() == "content-security-policy" and "frame-ancestors" in value
                for name, value in sent
            ):
                found.append(f"{form}: serves a page with no frame-ancestors policy")
        for redirect in redirects:
            if redirect.source.rstrip("/").lower() == address.rstrip("/").lower():
                found.append(
                    f"{redirect.source}: redirects to {redirect.to}, which can loop with "
                    "Netlify's Pretty URLs setting"
                )
    return sorted(set(found))


def check_site(site: Path, rules: list[Rule], redirects: list[Redirect]) -> None:
    """Refuse rules that overlap on any file, or that leave an address of a page unguarded."""
    problems = [
        f"{line} (two rules set one header: a CDN may send both, and a browser enforces both)"
        for line in overlaps(published_paths(site) + list(page_addresses(site)), rules)
    ]
    problems += [
        f"{line} (a page of the checker must carry its policy wherever it is served)"
        for line in unguarded(site, rules, redirects)
    ]
    problems += [
        f'"{rule.path}" ({rule.source}): {name} spans lines, which Netlify keeps and Node.js '
        "refuses to send (end each line with a backslash to go on with the next)"
        for rule in rules
        for name, value in rule.values
        if "\n" in value or "\r" in value
    ]
    if problems:
        raise BuildError("the site's headers are unsafe:\n  " + "\n  ".join(sorted(set(problems))))


def from_toml(config: Path) -> list[Rule]:
    rules = []
    for rule in tomllib.loads(config.read_text()).get("headers", []):
        values = tuple((name, str(value)) for name, value in rule.get("values", {}).items())
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


def write_headers_file(path: Path, rules: Iterable[Rule]) -> None:
    lines = [
        "# Written by build.py from netlify.toml: each page's rules for its other addresses, and",
        "# immutable caching for exactly the runtime's files.",
    ]
    for rule in rules:
        lines.append(rule.path)
        lines += [f"  {name}: {value}" for name, value in rule.values]
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
