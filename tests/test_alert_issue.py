"""The alert issue against the fake GitHub (tests/fake_github.py), driven directly: the token is
never sent anywhere else, the issue is ours alone, and GitHub's words are scrubbed before they
are printed (the third security review)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checker.outputs import alert_issue
from checker.outputs.alert_issue import Answer, Call, GitHubError, sync
from tests.fake_github import BOT, TOKEN, FakeGitHub

REPOSITORY = "owner/sites"
MARKER = alert_issue.MARKER.format(repository=REPOSITORY)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    yield fake
    fake.close()


def environment(github: FakeGitHub) -> dict[str, str]:
    return {"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": TOKEN}


def test_a_redirect_is_never_followed_and_the_token_reaches_no_other_host(
    github: FakeGitHub,
) -> None:
    elsewhere = FakeGitHub()
    try:
        github.redirect_to = elsewhere.url
        with pytest.raises(GitHubError, match=r"redirect \(HTTP 302\), which the checker does"):
            sync("reached", "table", environment(github))
        assert elsewhere.requests == [] and elsewhere.authorizations == []
    finally:
        elsewhere.close()


def test_a_strangers_issue_with_the_same_title_is_never_touched(github: FakeGitHub) -> None:
    theirs = github.add_issue(alert_issue.TITLE, "my own words", "mallory")
    copied = github.add_issue(alert_issue.TITLE, f"copied {MARKER}", "mallory")
    assert str(sync("reached", "table", environment(github))) == "opened the alert issue #3"
    assert str(sync("clear", "table", environment(github))) == "closed the alert issue #3"
    for issue in (theirs, copied):
        assert issue["state"] == "open" and "table" not in issue["body"]
    assert [number for number, _ in github.comments] == [3]


def test_ours_is_found_behind_a_hundred_and_fifty_newer_issues(github: FakeGitHub) -> None:
    assert str(sync("reached", "table", environment(github))) == "opened the alert issue #1"
    for n in range(150):
        github.add_issue(f"Issue {n}", "", "someone")
    assert str(sync("clear", "table", environment(github))) == "closed the alert issue #1"
    assert github.issues[0]["state"] == "closed" and len(github.issues) == 151
    pages = [path for method, path in github.requests if "/issues?" in path and method == "GET"]
    assert len(pages) == 3  # one page when it was opened, two when 151 were open


def test_two_of_ours_open_keep_the_oldest_and_close_the_other_with_a_note(
    github: FakeGitHub,
) -> None:
    github.add_issue(alert_issue.TITLE, f"first\n{MARKER}", BOT)
    github.add_issue(alert_issue.TITLE, f"second\n{MARKER}", BOT)
    assert str(sync("reached", "table", environment(github))) == "updated the alert issue #1"
    assert [issue["state"] for issue in github.issues] == ["open", "closed"]
    assert github.comments == [(2, alert_issue.DUPLICATE.format(number=1))]


def test_the_secondary_rate_limit_is_named_as_one(github: FakeGitHub) -> None:
    github.rate_limited = True
    with pytest.raises(GitHubError, match="GitHub's rate limit was reached"):
        sync("reached", "table", environment(github))


def test_the_body_is_kept_under_githubs_limit() -> None:
    sent: list[Call] = []

    def send(call: Call) -> Answer:
        sent.append(call)
        return Answer(201, [] if call.method == "GET" else {"number": 1})

    sync("reached", "x" * 100_000, {**environment_of("https://api.github.com")}, send)
    posted = sent[-1].body
    assert posted is not None and len(posted["body"]) < 65_536 and MARKER in posted["body"]


def environment_of(api: str) -> dict[str, str]:
    return {"GITHUB_API_URL": api, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_TOKEN": TOKEN}


@pytest.mark.parametrize("number", [True, 0, -3, "7", None])
def test_an_issue_number_that_is_not_a_positive_whole_number_is_refused(number: object) -> None:
    def send(call: Call) -> Answer:
        return Answer(201, [] if call.method == "GET" else {"number": number})

    with pytest.raises(GitHubError, match="had no issue number"):
        sync("reached", "table", environment_of("https://api.github.com"), send)


def test_githubs_own_words_are_scrubbed_before_they_are_printed() -> None:
    def send(call: Call) -> Answer:
        said = {"message": "::error title=x::pwned\x1b]0;t\x07 ##[add-mask]x"}
        return Answer(422, said) if call.method == "POST" else Answer(200, [])

    with pytest.raises(GitHubError) as raised:
        sync("reached", "table", environment_of("https://api.github.com"), send)
    message = raised.value.message
    assert message.startswith("GitHub answered the alert issue's request with HTTP 422")
    assert "::" not in message and "##[" not in message and "\x1b" not in message
