"""Compare a live deployment with what the build intends: `python3 build.py check-deploy URL`.

Fetches every file of dist/ from the site and reports, one line each, a header that is missing,
doubled or different from the rules (above all the Content-Security-Policy, and the runtime's
caching), a wrong content type, or bytes that differ from dist/. It also asks for every other
address of each page (/token, /Token.html, /token.html/, /token%2Ehtml), following redirects one
hop at a time: each must serve nothing, or the page with its headers, and never loop.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from checker.outputs.terminal import terminal_text
from publish import headers

JAVASCRIPT = ("text/javascript", "application/javascript")
# The types a browser insists on (module scripts, stylesheets under nosniff). The runtime's .gz
# files are typed by the worker itself, so whatever a host calls them does no harm.
TYPES = {
    ".html": ("text/html",),
    ".js": JAVASCRIPT,
    ".mjs": JAVASCRIPT,
    ".css": ("text/css",),
    ".json": ("application/json",),
    ".svg": ("image/svg+xml",),
}


@dataclass
class Fetched:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name]


Fetch = Callable[[str], Fetched]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is part of what the site answers, to be checked, not followed.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def fetch(url: str) -> Fetched:
    # identity: the bytes as stored, to compare with dist/; no cookies, no redirects followed.
    request = urllib.request.Request(
        url, headers={"Accept-Encoding": "identity", "User-Agent": "netlify-bandwidth-checker"}
    )
    try:
        with _opener.open(request, timeout=30) as response:
            return Fetched(response.status, list(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Fetched(error.code, list(error.headers.items()), error.read())


# More hops than any sane site needs between an address and its page.
MAX_HOPS = 5


def followed(base: str, path: str, get: Fetch) -> tuple[str, Fetched | None, list[str]]:
    """`path` fetched and its redirects followed one hop at a time: the path it ended at, the
    answer there, and what went wrong on the way (a loop, a hop to another site)."""
    url = base + path.lstrip("/")
    seen = [path]
    for _ in range(MAX_HOPS + 1):
        answer = get(url)
        if answer.status not in (301, 302, 303, 307, 308):
            return seen[-1], answer, []
        url = urljoin(url, ";".join(answer.values("location")))
        if not url.startswith(base):
            return seen[-1], None, [f"redirects to {url}, off this site"]
        hop = "/" + url.removeprefix(base).split("?", 1)[0]
        if hop in seen:
            chain = " → ".join([*seen, hop])
            return hop, None, [f"redirects in a loop: {chain} (the page never loads)"]
        seen.append(hop)
    return seen[-1], None, [f"more than {MAX_HOPS} redirects: {' → '.join(seen)}"]


def problems(base: str, dist: Path, rules: list[headers.Rule], get: Fetch = fetch) -> list[str]:
    """Every difference between the site at `base` and dist/ served with `rules`."""
    base = base.rstrip("/") + "/"
    found = []
    addresses = headers.page_addresses(dist)
    for path in headers.published_paths(dist):
        try:
            # A page may be redirected to another of its addresses (Pretty URLs), which must
            # then serve it with its policy; any other file must be served where it is.
            if path in addresses:
                _, answer, wrong = followed(base, path, get)
            else:
                answer, wrong = get(base + path.lstrip("/")), []
        except (OSError, urllib.error.URLError) as error:
            found.append(f"{path}: could not be fetched ({error})")
            continue
        found += [f"{path}: {problem}" for problem in wrong]
        if answer is None:
            continue
        if answer.status != 200:
            found.append(f"{path}: HTTP {answer.status}")
            continue
        found += [f"{path}: {problem}" for problem in _differences(path, answer, rules)]
        file = dist / ("index.html" if path == "/" else path.lstrip("/"))
        expected = TYPES.get(file.suffix)
        served_as = ";".join(answer.values("content-type")).split(";")[0].strip()
        if expected and served_as not in expected:
            found.append(f"{path}: served as {served_as or 'no type'}, not {expected[0]}")
        if answer.body != file.read_bytes():
            found.append(f"{path}: its bytes differ from dist/ (an old or altered deploy?)")
    files = set(headers.published_paths(dist))
    for address, page in addresses.items():
        for form in (address, *headers.other_forms(address)):
            if form not in files:
                found += [
                    f"{form}: {problem}" for problem in _guarded(base, form, page, rules, get)
                ]
    return found


def _guarded(
    base: str, address: str, page: str, rules: list[headers.Rule], get: Fetch
) -> list[str]:
    """Any other address of a page (/token, /Token.html, /token.html/) must serve nothing, or
    serve the page with all of its headers, itself or where its redirects lead: a blog could
    frame it otherwise."""
    try:
        _, answer, wrong = followed(base, address, get)
    except (OSError, urllib.error.URLError) as error:
        return [f"could not be fetched ({error})"]
    if answer is None or answer.status in (404, 410):
        return wrong
    if answer.status != 200:
        return [f"HTTP {answer.status}"]
    missing = _differences(page, answer, rules)
    return [f"serves {page} without its headers: {problem}" for problem in missing]


def _differences(path: str, answer: Fetched, rules: list[headers.Rule]) -> list[str]:
    intended: dict[str, str] = {}
    for name, value in headers.sent_for(path, rules):
        intended[name.lower()] = value
    found = []
    for name, value in intended.items():
        sent = [" ".join(v.split()) for v in answer.values(name)]
        if not sent:
            found.append(f"no {name}")
        elif len(sent) > 1:
            found.append(f"{name} sent {len(sent)} times (a browser obeys each of them)")
        elif sent[0] != value:
            found.append(f"{name} is {sent[0]!r}, not {value!r}")
    if "content-security-policy" not in intended and answer.values("content-security-policy"):
        found.append("a content-security-policy the rules do not set")
    return found


def check_deploy(url: str, dist: Path) -> int:
    """`python3 build.py check-deploy URL`: one line per difference; exit 0 or 1."""
    found = problems(url, dist, headers.site_rules(dist))
    for problem in found:
        # A problem quotes what the site sent (a Location, a header), which is the site's text.
        print(terminal_text(problem))
    if found:
        count = f"{len(found)} difference(s) from what the build intends"
        print(f"check-deploy: {count}", file=sys.stderr)
        return 1
    print(f"check-deploy: {url} serves every file of dist/ with the intended headers")
    return 0
