"""One GitHub issue that says a team has reached the alert's threshold: opened when one does,
updated while it lasts, commented on and closed when every team is back under it, as Upptime
and lychee-action do. GitHub's REST API, through the `GITHUB_API_URL`, `GITHUB_REPOSITORY` and
`GITHUB_TOKEN` a workflow gives; the token needs `issues: write`.

The token is treated as Netlify's is: sent only to the API's own address, never after a
redirect, with a deadline, and GitHub's answers are read with a size cap. The issue is ours
alone: its body carries a hidden marker naming the repository, and only an open issue with that
marker, written by the token's own identity, is ever edited, commented on or closed; a
stranger's issue with the same title is left alone.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, urlencode

from checker.figures.team import Standing
from checker.outputs import addresses
from checker.outputs.terminal import log_text

API_BASE = "https://api.github.com"
TITLE = "Netlify: a team has reached the bandwidth or credit alert"
LABEL = "netlify-bandwidth-alert"
RECOVERED = "Every team is back under the threshold, so this alert is closed."
DUPLICATE = "A newer copy of the alert issue #{number}, which stays open: closed."
MARKER = "<!-- netlify-bandwidth-checker alert issue of {repository} -->"
# Who writes with the Actions token; a personal token writes as its owner (GET /user says who).
ACTIONS_BOT = "github-actions[bot]"
TIMEOUT_SECONDS = 20
# GitHub's limit for an issue's body is 65,536 characters.
MAX_BODY = 60_000
MAX_ANSWER_BYTES = 4 * 1024 * 1024
# Open issues looked through for ours, 100 a page: a repository with more is not searched past it.
MAX_PAGES = 50
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\Z")
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class GitHubError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Answer:
    status: int
    document: Any  # the decoded JSON; None when there was none
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case


GitHubSend = Callable[[Call], Answer]


@dataclass(frozen=True)
class Done:
    """What sync() did to the alert issue, and the sentence that says so (no team named)."""

    what: Literal["opened", "updated", "kept", "closed", "nothing"]
    said: str

    def __str__(self) -> str:
        return self.said


# Where the teams stand against the threshold: a team reached it; none did, but a team could not
# be judged (then the issue is kept as it is, never closed); or every team is under it.


def sync(
    state: Standing, body: str, environment: Mapping[str, str], send: GitHubSend | None = None
) -> Done:
    """Opens, updates or closes the alert issue; says what it did, without naming any team. A
    team that could not be judged never closes it nor lets it say "back under": an open issue
    is updated with the table, which lists such teams, and kept open."""
    api = environment.get("GITHUB_API_URL", API_BASE).rstrip("/")
    repository = environment.get("GITHUB_REPOSITORY", "")
    token = environment.get("GITHUB_TOKEN", "")
    if not addresses.usable_base(api) or not _REPOSITORY.match(repository) or not token:
        raise GitHubError(
            "the alert issue needs GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN, as a "
            "GitHub Actions workflow sets them (give the job `permissions: issues: write`)"
        )
    send = send or _sender(token)
    issues = f"{api}/repos/{quote(repository, safe='/')}/issues"
    marker = MARKER.format(repository=repository)
    body = f"{body[:MAX_BODY]}\n\n{marker}\n"
    ours = _our_issues(send, api, issues, marker, _identity(send, api))
    for number in ours[1:]:
        # Two runs at once opened two: the oldest stays.
        _comment_and_close(send, issues, number, DUPLICATE.format(number=ours[0]))
    found = ours[0] if ours else None
    if state == "unknown":
        if found is None:
            said = "no alert issue opened: a team could not be judged against the threshold"
            return Done("nothing", said)
        _expect(send(Call("PATCH", f"{issues}/{found}", {"body": body})))
        return Done("kept", f"kept the alert issue #{found} open: a team could not be judged")
    if state == "reached" and found is None:
        opened = _expect(
            send(Call("POST", issues, {"title": TITLE, "body": body, "labels": [LABEL]}))
        )
        return Done("opened", f"opened the alert issue #{_number(opened)}")
    if state == "reached" and found is not None:
        _expect(send(Call("PATCH", f"{issues}/{found}", {"body": body})))
        return Done("updated", f"updated the alert issue #{found}")
    if found is not None:
        _comment_and_close(send, issues, found, RECOVERED)
        return Done("closed", f"closed the alert issue #{found}")
    return Done("nothing", "no alert issue to open or close")


def _comment_and_close(send: GitHubSend, issues: str, number: int, note: str) -> None:
    _expect(send(Call("POST", f"{issues}/{number}/comments", {"body": note})))
    _expect(send(Call("PATCH", f"{issues}/{number}", {"state": "closed"})))


def _identity(send: GitHubSend, api: str) -> str:
    """Who the token writes as: its user, or, for the Actions token (which GET /user refuses),
    the Actions bot."""
    answer = send(Call("GET", f"{api}/user"))
    login = answer.document.get("login") if isinstance(answer.document, dict) else None
    if answer.status == 200 and isinstance(login, str) and login:
        return login
    return ACTIONS_BOT


def _our_issues(send: GitHubSend, api: str, issues: str, marker: str, author: str) -> list[int]:
    """The numbers of the open alert issues that are ours, oldest first: the marker in the body,
    and written by `author`. Every page of open issues is looked through, never by title alone
    (the labels of a new issue are dropped, silently, when the token may not set them)."""
    url: str | None = f"{issues}?{urlencode({'state': 'open', 'per_page': 100})}"
    found: set[int] = set()
    for _ in range(MAX_PAGES):
        if url is None:
            break
        answer = send(Call("GET", url))
        listed = _expect(answer)
        if not isinstance(listed, list):
            raise GitHubError("GitHub's list of issues was not of the expected form")
        found.update(number for issue in listed if (number := _ours(issue, marker, author)))
        url = _next_page(answer.headers, api)
    return sorted(found)


def _ours(issue: object, marker: str, author: str) -> int | None:
    if not isinstance(issue, dict) or "pull_request" in issue:
        return None
    user, body, number = issue.get("user"), issue.get("body"), issue.get("number")
    login = user.get("login") if isinstance(user, dict) else None
    if login != author or not isinstance(body, str) or marker not in body:
        return None
    return number if _positive(number) else None


def _next_page(headers: Mapping[str, str], api: str) -> str | None:
    """The `Link` header's next page, if it is on the API's own address."""
    found = _NEXT.search(headers.get("link", ""))
    url = found.group(1) if found else None
    return url if url is not None and url.startswith(f"{api}/") else None


def _positive(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _number(issue: object) -> int:
    number = issue.get("number") if isinstance(issue, dict) else None
    if not _positive(number):
        raise GitHubError("GitHub's answer for the new alert issue had no issue number")
    assert isinstance(number, int)
    return number


def _expect(answer: Answer) -> Any:
    status = answer.status
    if 200 <= status < 300:
        return answer.document
    if 300 <= status < 400:
        raise GitHubError(
            f"GitHub's API answered with a redirect (HTTP {status}), which the checker does not "
            "follow, so that the token goes nowhere else"
        )
    if status in (403, 429) and _rate_limited(answer):
        raise GitHubError(
            f"GitHub's rate limit was reached (HTTP {status}); the alert issue is left as it "
            "is until the next run"
        )
    if status in (401, 403):
        raise GitHubError(
            f"GitHub refused the alert issue (HTTP {status}): give the job "
            "`permissions: issues: write`, and the action its `github-token`"
        )
    if status == 404:
        raise GitHubError("GitHub does not know this repository, or the token cannot see it")
    if status == 410:
        raise GitHubError(
            "issues are turned off in this repository: turn them on, or the alert off"
        )
    said = _said(answer.document)
    raise GitHubError(
        f"GitHub answered the alert issue's request with HTTP {status}"
        + (f": “{said}”" if said else "")
    )


def _rate_limited(answer: Answer) -> bool:
    """GitHub's primary and secondary rate limits answer 403 (or 429), and say so."""
    headers = answer.headers
    if headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers:
        return True
    return "rate limit" in (_said(answer.document) or "").lower()


def _said(document: object) -> str | None:
    """GitHub's own `message`, short, and made safe for a terminal and a workflow's log."""
    message = document.get("message") if isinstance(document, dict) else None
    if not isinstance(message, str) or not message.strip():
        return None
    return log_text(" ".join(message.split())[:200])


class _Refuse(urllib.request.HTTPRedirectHandler):
    """Never follows a redirect: urllib would send the token on to any host, http:// too."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _sender(token: str) -> GitHubSend:
    opener = urllib.request.build_opener(_Refuse)

    def send(call: Call) -> Answer:
        data = None if call.body is None else json.dumps(call.body).encode()
        request = urllib.request.Request(call.url, data=data, method=call.method)
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                return _answer(
                    response.status, response.headers, response.read(MAX_ANSWER_BYTES + 1)
                )
        except urllib.error.HTTPError as error:
            return _answer(error.code, error.headers, error.read(MAX_ANSWER_BYTES + 1))
        except (urllib.error.URLError, OSError) as error:
            raise GitHubError(f"GitHub could not be reached ({type(error).__name__})") from None

    return send


def _answer(status: int, headers: Mapping[str, str] | None, raw: bytes) -> Answer:
    if len(raw) > MAX_ANSWER_BYTES:
        raise GitHubError("GitHub's answer was far larger than expected, so it was not read")
    names = {name.lower(): value for name, value in (headers or {}).items()}
    try:
        document = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError):
        document = None  # an error page; its status says enough
    return Answer(status, document, names)
