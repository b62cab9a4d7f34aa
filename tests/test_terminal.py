"""The command line in-process, where a test must control time: the rate limit's waits."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from checker import cli
from checker.netlify import api, samples
from checker.netlify.ratelimit import RATE_LIMIT_WAITS
from tests.clock import Clock
from tests.fake_netlify import TOKEN

NOW = datetime(2024, 6, 12, 9, 52, 37, tzinfo=UTC)


def run_for_acme(
    send: api.Send, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """`app.py --team acme` in-process on the test's clock: its exit code, stdout and stderr."""
    monkeypatch.setenv("NETLIFY_AUTH_TOKEN", TOKEN)
    monkeypatch.delenv("NETLIFY_API_URL", raising=False)
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.main(
        ["--team", "acme"],
        prog="app.py",
        send=send,
        now=clock.now,
        sleep=clock.sleep,
        stdout=stdout,
        stderr=stderr,
    )
    return code, stdout.getvalue(), stderr.getvalue()


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
    sent: list[api.Request] = []
    clock = Clock(NOW)

    def limited(request: api.Request) -> api.Response:
        sent.append(request)
        return api.Response(429, b'{"code": 429}', headers)

    code, stdout, stderr = run_for_acme(limited, clock, monkeypatch)
    assert code == cli.EXIT_FAILED
    # A reset that cannot be believed counts as none: the usual minute, three times, each said
    # as it begins, then a word on what to do.
    assert clock.slept == [60.0] * RATE_LIMIT_WAITS
    figures = [request for request in sent if request.url.endswith("/bandwidth")]
    assert len(figures) == RATE_LIMIT_WAITS + 1
    assert stderr.splitlines() == [
        *(
            f"app.py: Netlify's rate limit was reached. Asking again in 60 s (wait {n} of 3)…"
            for n in range(1, RATE_LIMIT_WAITS + 1)
        ),
        "app.py: Netlify's rate limit was reached. Wait a minute, then try again.",
    ]
    assert stdout == ""


def test_a_rate_limit_is_waited_out_for_as_long_as_netlify_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock(NOW)
    answers = [api.Response(429, b"{}", {"retry-after": "20"}), samples.RECORDED_BANDWIDTH]

    def send(request: api.Request) -> api.Response:
        if request.url.endswith("/bandwidth"):
            return answers.pop(0)
        return api.Response(200, json.dumps(samples.RECORDED_ACCOUNT | {"slug": "acme"}).encode())

    code, stdout, stderr = run_for_acme(send, clock, monkeypatch)
    assert code == cli.EXIT_OK, stderr
    assert clock.slept == [21.0]  # a second more than Netlify says
    assert stderr == (
        "app.py: Netlify's rate limit was reached. Asking again in 21 s (wait 1 of 3)…\n"
    )
    assert "25.3 GiB of 100 GiB used" in stdout
