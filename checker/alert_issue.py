"""One GitHub issue that says a team has reached the alert's threshold: opened when one does,
updated while it lasts, commented on and closed when every team is back under it, as Upptime
and lychee-action do. GitHub's REST API, through the `GITHUB_API_URL`, `GITHUB_REPOSITORY` and
`GITHUB_TOKEN` a workflow gives; the token needs `issues: write`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from checker import inputs

TITLE = "Netlify: a team has reached the bandwidth or credit alert"
LABEL = "netlify-bandwidth-alert"
RECOVERED = "Every team is back under the threshold, so this alert is closed."
TIMEOUT_SECONDS = 20


class GitHubError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    body: dict[str, Any] | None = None


# A call's answer: its status and its decoded JSON (None when it had none).
Answer = tuple[int, Any]
Send = Callable[[Call], Answer]


# Where the teams stand against the threshold: a team reached it; none did, but a team could not
# be judged (then the issue is kept as it is, never closed); or every team is under it.
State = Literal["reached", "unknown", "clear"]


def sync(state: State, body: str, environment: Mapping[str, str], send: Send | None = None) -> str:
    """Opens, updates or closes the alert issue; says what it did, without naming any team. A
    team that could not be judged never closes it nor lets it say "back under": an open issue
    is updated with the table, which lists such teams, and kept open."""
    api = environment.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repository = environment.get("GITHUB_REPOSITORY", "")
    token = environment.get("GITHUB_TOKEN", "")
    if not inputs.usable_base(api) or repository.count("/") != 1 or not token:
        raise GitHubError(
            "the alert issue needs GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN, as a "
            "GitHub Actions workflow sets them (give the job `permissions: issues: write`)"
        )
    send = send or _sender(token)
    issues = f"{api}/repos/{quote(repository, safe='/')}/issues"
    found = _open_issue(send, issues)
    reached = state == "reached"
    if state == "unknown":
        if found is None:
            return "no alert issue opened: a team could not be judged against the threshold"
        _expect(send(Call("PATCH", f"{issues}/{found}", {"body": body})))
        return f"kept the alert issue #{found} open: a team could not be judged"
    if reached and found is None:
        number = _expect(
            send(Call("POST", issues, {"title": TITLE, "body": body, "labels": [LABEL]}))
        )
        return f"opened the alert issue #{number['number']}"
    if reached and found is not None:
        _expect(send(Call("PATCH", f"{issues}/{found}", {"body": body})))
        return f"updated the alert issue #{found}"
    if found is not None:
        _expect(send(Call("POST", f"{issues}/{found}/comments", {"body": RECOVERED})))
        _expect(send(Call("PATCH", f"{issues}/{found}", {"state": "closed"})))
        return f"closed the alert issue #{found}"
    return "no alert issue to open or close"


def _open_issue(send: Send, issues: str) -> int | None:
    # Found by its title, not its label: GitHub drops the labels of a new issue, silently, when
    # the token may not set them, and the next run would then open a second issue.
    listed = _expect(send(Call("GET", f"{issues}?state=open&per_page=100")))
    if not isinstance(listed, list):
        raise GitHubError("GitHub's list of issues was not of the expected form")
    for issue in listed:
        if isinstance(issue, dict) and issue.get("title") == TITLE and "pull_request" not in issue:
            number = issue.get("number")
            if isinstance(number, int):
                return number
    return None


def _expect(answer: Answer) -> Any:
    status, document = answer
    if 200 <= status < 300:
        return document
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
    raise GitHubError(f"GitHub answered the alert issue's request with HTTP {status}")


def _sender(token: str) -> Send:
    def send(call: Call) -> Answer:
        data = None if call.body is None else json.dumps(call.body).encode()
        request = urllib.request.Request(call.url, data=data, method=call.method)
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, None
        except (urllib.error.URLError, OSError) as error:
            raise GitHubError(f"GitHub could not be reached ({type(error).__name__})") from None

    return send


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        raise GitHubError("GitHub's answer was not JSON") from None
