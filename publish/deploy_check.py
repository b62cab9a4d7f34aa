"""Compare a live deployment with what the build intends: `python3 build.py check-deploy URL`.

Fetches every file of dist/ from the site and reports, one line each, a header that is missing,
doubled or different from the rules (above all the Content-Security-Policy, and the runtime's
caching), a wrong content type, or bytes that differ from dist/.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

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


def problems(base: str, dist: Path, rules: list[headers.Rule], get: Fetch = fetch) -> list[str]:
    """Every difference between the site at `base` and dist/ served with `rules`."""
    base = base.rstrip("/") + "/"
    found = []
    for path in headers.published_paths(dist):
        try:
            answer = get(base + path.lstrip("/"))
        except (OSError, urllib.error.URLError) as error:
            found.append(f"{path}: could not be fetched ({error})")
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
    for address, page in headers.page_addresses(dist).items():
        if address not in files:
            found += [
                f"{address}: {problem}" for problem in _guarded(base, address, page, rules, get)
            ]
    return found


def _guarded(
    base: str, address: str, page: str, rules: list[headers.Rule], get: Fetch
) -> list[str]:
    """A page's other address (/token for /token.html) must redirect to it, serve nothing, or
    serve it with all of its headers: a blog could frame it otherwise."""
    try:
        answer = get(base + address.lstrip("/"))
    except (OSError, urllib.error.URLError) as error:
        return [f"could not be fetched ({error})"]
    if answer.status in (301, 302, 307, 308):
        location = urljoin(base + address.lstrip("/"), ";".join(answer.values("location")))
        if location.split("?", 1)[0] != base + page.lstrip("/"):
            return [f"redirects to {location}, not to its page {page}"]
        return []
    if answer.status in (404, 410):
        return []
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
        print(problem)
    if found:
        count = f"{len(found)} difference(s) from what the build intends"
        print(f"check-deploy: {count}", file=sys.stderr)
        return 1
    print(f"check-deploy: {url} serves every file of dist/ with the intended headers")
    return 0
