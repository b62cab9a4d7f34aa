"""The page when things go wrong: every failure is a sentence and the next check works; loading
and the worker; many teams, and answers that would not end."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from tests.audit import audited_context
from tests.checker_page import CheckerPage
from tests.conftest import served_copy
from tests.fake_netlify import (
    BANDWIDTH,
    TEAMS,
    TOKEN,
    FakeNetlify,
    Reply,
    error,
    rate_limit_reset_in,
)

# --- every failure is a sentence, and the next check works --------------------------------------

FAILURES = [
    pytest.param(error(401, "Access Denied"), "rejected this token", id="401"),
    pytest.param(error(403, "Forbidden"), "not allowed to read “acme”", id="403"),
    pytest.param(error(404, "Not Found"), "No team with the slug “acme”", id="404-json"),
    pytest.param(Reply(404, "Not Found"), "No team with the slug “acme”", id="404-text"),
    pytest.param(Reply(500, "<html><body>Internal error</body></html>"), "HTTP 500", id="500-html"),
    pytest.param(Reply(502, "<html><h1>502 Bad Gateway</h1></html>"), "HTTP 502", id="502-html"),
    pytest.param(Reply(503, b"<!DOCTYPE html><p>busy"), "HTTP 503", id="503-html"),
    pytest.param(Reply(200, b"{not json"), "not valid JSON", id="malformed-json"),
    pytest.param(Reply(200, b"<!DOCTYPE html><p>hi"), "web page instead", id="html-200"),
    pytest.param(Reply(200, {"included": 5}), "no “used” figure", id="missing-field"),
    pytest.param(Reply(200, {"used": "x", "included": 5}), "unusable “used”", id="string"),
    pytest.param(Reply(200, {"used": -1, "included": 5}), "unusable “used”", id="negative"),
    pytest.param(Reply(200, {"used": 10**30, "included": 5}), "unusable “used”", id="enormous"),
    pytest.param(Reply(200, b"null"), "not an object", id="null"),
    pytest.param(Reply(200, b""), "empty page", id="empty-body"),
    pytest.param(Reply(reset=True), "Could not reach Netlify", id="connection-reset"),
]


def test_a_redirect_from_the_api_is_said_and_never_followed(
    checker: CheckerPage, netlify: FakeNetlify, site: str, site_log: list[str]
) -> None:
    # Followed, a redirect could carry the token elsewhere: here, to the page's own server,
    # which logs every path it is asked for.
    netlify.override(BANDWIDTH, Reply(302, b"", {"Location": site + "taken"}), repeat=True)
    assert "answered with a redirect" in checker.fail(team="acme")
    assert not [path for path in site_log if "taken" in path]


@pytest.mark.parametrize(("reply", "said"), FAILURES)
def test_a_failure_is_explained_and_the_next_check_works(
    checker: CheckerPage, netlify: FakeNetlify, reply: Reply, said: str
) -> None:
    # Repeated: Chromium retries a GET whose reused connection was reset.
    netlify.override(BANDWIDTH, reply, repeat=True)
    message = checker.fail(team="acme")
    assert said in message
    assert "Traceback" not in message
    assert not re.search(r"<(html|body|h1|p\b|!doctype)", message, re.IGNORECASE)
    netlify.override(BANDWIDTH)
    assert checker.results.inner_text() == ""
    assert "25.3 GiB" in checker.check(team="acme")
    assert checker.alert.inner_text() == ""


def test_a_rejected_token_says_how_to_make_a_new_one(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    message = checker.fail(token="nfp_revoked_token_123")
    assert "rejected this token" in message
    assert "app.netlify.com/user/applications" in message
    assert checker.token.get_attribute("aria-invalid") == "true"


def test_a_readable_rate_limit_says_when_to_retry(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    netlify.expose_headers = True
    # Longer than the check waits (90 s): said at once, with when.
    netlify.override(BANDWIDTH, Reply(429, {"code": 429}, rate_limit_reset_in(100)))
    message = checker.fail()
    assert "Try again in" in message and "seconds" in message


def test_a_cors_refusal_is_explained(checker: CheckerPage, netlify: FakeNetlify) -> None:
    netlify.cors = False
    assert "Could not reach Netlify" in checker.fail()
    netlify.cors = True
    assert "25.3 GiB" in checker.check()


def test_offline_is_explained(checker: CheckerPage, netlify: FakeNetlify) -> None:
    checker.page.context.set_offline(True)
    try:
        assert "you may be offline" in checker.fail()
    finally:
        checker.page.context.set_offline(False)
    assert "25.3 GiB" in checker.check()


@pytest.mark.parametrize(
    ("token", "said"),
    [
        ("", "Paste a Netlify personal access token"),
        ("   \n", "Paste a Netlify personal access token"),
        ("nfp_abc\u0000def", "a control character"),
        ("nfp_abc\u00e9def", "outside plain ASCII"),
        ("nfp_abc def", "a space or line break"),
        ("x" * 10240, "10,240 characters"),
    ],
)
def test_a_bad_token_is_refused_before_any_request(
    checker: CheckerPage, netlify: FakeNetlify, token: str, said: str
) -> None:
    assert said in checker.fail(token=token)
    assert netlify.requests == []
    assert checker.page.evaluate("() => document.activeElement.id") == "token"


@pytest.mark.parametrize(
    "slug", ["acme/../user", "..", "acme?x=1", "acme#x", "a%2F", "my team", "ü"]
)
def test_an_odd_slug_is_refused_before_any_request(
    checker: CheckerPage, netlify: FakeNetlify, slug: str
) -> None:
    assert "letters, digits and hyphens" in checker.fail(team=slug)
    assert netlify.requests == []


# --- loading, and the worker --------------------------------------------------------------------


def test_a_check_asked_for_before_python_is_ready_is_answered(
    page: Any, site: str, netlify: FakeNetlify
) -> None:
    checker = CheckerPage(page, site).open(wait_ready=False)
    checker.submit(team="acme")
    asked_at = page.evaluate("() => performance.now()")
    assert "as soon as it is ready" in page.get_by_role("status").inner_text()
    checker.until("() => performance.getEntriesByName('result-shown').length > 0", None, 60_000)
    [ready] = page.evaluate(
        "() => performance.getEntriesByName('python-ready').map(m => m.startTime)"
    )
    assert ready > asked_at
    assert "25.3 GiB" in checker.results.inner_text()


# Put before worker.js by the test below: the worker's own code breaks while it runs a check
# (turning a form into text, which only a check does).
BREAKS_A_CHECK = """
{
  const stringify = JSON.stringify;
  JSON.stringify = (value, ...rest) => {
    if (value && typeof value === "object" && "token" in value) throw new TypeError("broken");
    return stringify(value, ...rest);
  };
}
"""


def test_a_check_that_breaks_in_the_worker_is_answered_at_once_with_a_sentence(
    browser: Any, dist: Path, tmp_path: Path, netlify: FakeNetlify
) -> None:
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    worker = copy / "static" / "worker.js"
    worker.write_text(BREAKS_A_CHECK + worker.read_text())
    with served_copy(copy) as url, audited_context(browser, url) as context:
        page = context.new_page()
        checker = CheckerPage(page, url).open()
        started = time.monotonic()
        said = checker.fail(team="acme")
        # Not the watchdog's "did not answer" after twenty silent seconds: the worker's answer.
        assert said == "Something unexpected went wrong while checking. Please try again."
        assert time.monotonic() - started < 10
        assert not netlify.api_requests()
        button = page.get_by_role("button", name="Check bandwidth")
        assert button.get_attribute("aria-disabled") == "false"


def test_a_stalled_connection_ends_in_a_message_and_a_fresh_worker(
    page: Any, site: str, netlify: FakeNetlify
) -> None:
    checker = CheckerPage(page, site).open()
    # The fake clock runs the page's 20-second watchdog at once. It fakes `performance` too,
    # so from here on the test watches the page's text rather than its marks.
    page.clock.install()
    netlify.override(BANDWIDTH, Reply(stall=True))
    checker.submit(team="acme")
    # The worker announces each request before sending it; once the fake holds the request,
    # that announcement (which restarts the page's 20 seconds) has been posted too.
    deadline = time.monotonic() + 30
    while not netlify.api_requests() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    page.clock.run_for(19_000)
    assert checker.alert.inner_text() == ""
    page.clock.run_for(7_000)
    assert "did not answer within 20 seconds" in checker.alert.inner_text()
    netlify.release.set()
    checker.until("() => document.querySelector('[role=status]').textContent === 'Ready.'")
    checker.submit(team="acme")
    checker.until("() => document.querySelector('#results').textContent.includes('25.3 GiB')")
    assert checker.alert.inner_text() == ""


def test_a_crashed_worker_is_replaced(page: Any, site: str, netlify: FakeNetlify) -> None:
    checker = CheckerPage(page, site).open()
    [worker] = page.workers
    worker.evaluate("() => setTimeout(() => { throw new Error('simulated crash'); })")
    checker.until("() => document.querySelector('[role=alert]').textContent !== ''")
    assert "stopped unexpectedly" in checker.alert.inner_text()
    checker.wait_ready_again()
    assert "25.3 GiB" in checker.check(team="acme")


def test_forget_token_clears_the_field_results_and_the_worker(
    page: Any, site: str, netlify: FakeNetlify
) -> None:
    checker = CheckerPage(page, site).open()
    checker.check(team="acme")
    page.get_by_role("button", name="Forget token").click()
    assert checker.token.input_value() == ""
    assert checker.results.inner_text() == ""
    checker.wait_ready_again()


def test_show_token_toggles_the_field(page: Any, site: str, netlify: FakeNetlify) -> None:
    checker = CheckerPage(page, site).open(wait_ready=False)
    toggle = page.get_by_role("button", name="Show token")
    checker.token.fill(TOKEN)
    assert checker.token.get_attribute("type") == "password"
    toggle.click()
    assert checker.token.get_attribute("type") == "text"
    assert toggle.get_attribute("aria-pressed") == "true"
    toggle.click()
    assert checker.token.get_attribute("type") == "password"


# --- many teams, and answers that would not end (the second security review) ---------------------


def test_a_check_of_three_hundred_teams_completes(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    netlify.more_teams = [
        {**TEAMS[0], "id": f"more-{n}", "name": f"Team {n:03}", "slug": f"team-{n:03}"}
        for n in range(300 - len(TEAMS))
    ]
    before = checker.marks("result-shown")
    checker.submit(team="")
    checker.wait_result(before, timeout_ms=120_000)
    assert checker.results.locator("article h2").count() == 300
    status = checker.page.get_by_role("status").inner_text()
    assert status.startswith("Checked 300 teams")
    assert len(netlify.bandwidth_requests()) == 300


def test_an_answer_far_too_large_is_dropped_as_it_streams_in(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    # 5 MiB arrive, and the answer claims a hundred times more: the worker stops reading at
    # Python's 4 MiB limit rather than waiting for the rest (or the 20 s timeout).
    netlify.override(BANDWIDTH, Reply(200, b" " * (5 * 2**20), endless=True), repeat=True)
    started = time.monotonic()
    assert "far larger than expected" in checker.fail(team="acme")
    assert time.monotonic() - started < 15


def test_netlifys_answers_are_kept_in_no_http_cache(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    checker.check(team="acme")
    checker.check(team="acme")
    # The browser revalidates what it cached (If-None-Match) unless told to keep nothing.
    assert len(netlify.bandwidth_requests()) == 2
    assert not [r for r in netlify.api_requests() if "if-none-match" in r.headers]
