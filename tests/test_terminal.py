"""The command line in-process, where a test must control time: the rate limit's waits."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

import app
from checker import api
from tests.fake_netlify import TOKEN

NOW = datetime(2024, 6, 12, 9, 52, 37, tzinfo=UTC)


@pytest.mark.parametrize(
    "headers",
    [
        {"x-ratelimit-reset": "999999999999"},
        {"x-ratelimit-reset": "9999-12-31 23:59:59 UTC"},
        {"retry-after": "999999999"},
        {"x-ratelimit-reset": "2024-06-12 09:53:37 UTC", "date": "Thu, 01 Jan 1970 00:00:00 GMT"},
        {"x-ratelimit-reset": "1970-01-01 00:00:00 UTC", "date": "Fri, 31 Dec 9999 23:59:59 GMT"},
    ],
    ids=["far-unix", "far-netlify-date", "far-retry-after", "date-in-1970", "date-in-9999"],
)
def test_an_absurd_rate_limit_reset_means_a_minutes_wait_never_a_traceback(
    headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETLIFY_AUTH_TOKEN", TOKEN)
    monkeypatch.delenv("NETLIFY_API_URL", raising=False)
    sent: list[api.Request] = []
    waits: list[float] = []

    def limited(request: api.Request) -> api.Response:
        sent.append(request)
        return api.Response(429, b'{"code": 429}', headers)

    send = app.patiently(limited, now=lambda: NOW, sleep=waits.append)
    stdout, stderr = io.StringIO(), io.StringIO()
    code = app.main(["--team", "acme"], send=send, stdout=stdout, stderr=stderr)
    assert code == app.EXIT_FAILED
    # A reset that cannot be believed counts as none: the usual minute, three times, then a word.
    assert waits == [60.0] * app.RATE_LIMIT_RETRIES
    assert len(sent) == app.RATE_LIMIT_RETRIES + 1
    assert stderr.getvalue() == (
        "app.py: Netlify's rate limit was reached. Wait a minute, then try again.\n"
    )
    assert stdout.getvalue() == ""
