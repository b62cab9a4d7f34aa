"""The CPython transport against the fake Netlify API over real HTTPS."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker import transport
from checker.netlify import api, samples
from checker.netlify.check import CAP
from tests.answers import NOW, many_teams
from tests.conftest import ROOT
from tests.fake_netlify import BANDWIDTH, TOKEN, FakeNetlify, Reply


@pytest.fixture
def trusted(ca_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    yield


def test_an_answer_arrives_with_its_status_body_and_headers(
    netlify: FakeNetlify, trusted: None
) -> None:
    response = transport.send(api.bandwidth_request(TOKEN, "acme", base=netlify.url))
    assert response.status == 200
    assert json.loads(response.body)["used"] == samples.RECORDED_USED
    assert response.headers["etag"] == 'W/"5c3d9e1f"'
    [seen] = netlify.api_requests()
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert seen.headers["user-agent"].startswith("netlify-bandwidth-checker/")


def test_error_statuses_are_answers_not_exceptions(netlify: FakeNetlify, trusted: None) -> None:
    response = transport.send(api.bandwidth_request(TOKEN, "nope", base=netlify.url))
    assert response.status == 404
    assert b"Not Found" in response.body


def test_a_redirect_is_not_followed_with_the_token(netlify: FakeNetlify, trusted: None) -> None:
    netlify.override(
        BANDWIDTH,
        Reply(302, b"", {"Location": f"https://localhost:{netlify.port}/elsewhere"}),
    )
    response = transport.send(api.bandwidth_request(TOKEN, "acme", base=netlify.url))
    assert response.status == 302
    assert [r.path for r in netlify.api_requests()] == ["/api/v1/accounts/acme/bandwidth"]


def test_a_stalled_connection_times_out(
    netlify: FakeNetlify, trusted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "TIMEOUT_SECONDS", 0.5)
    netlify.override(BANDWIDTH, Reply(stall=True))
    with pytest.raises(api.TimedOut, match="did not answer within"):
        transport.send(api.bandwidth_request(TOKEN, "acme", base=netlify.url))


def test_a_reset_connection_is_a_network_error(netlify: FakeNetlify, trusted: None) -> None:
    netlify.override(BANDWIDTH, Reply(reset=True))
    with pytest.raises(api.NetworkError, match="Could not reach Netlify"):
        transport.send(api.bandwidth_request(TOKEN, "acme", base=netlify.url))


def test_nothing_listening_is_a_network_error(trusted: None) -> None:
    with pytest.raises(api.NetworkError, match="Could not reach Netlify"):
        transport.send(api.accounts_request(TOKEN, base="https://127.0.0.1:9/api/v1"))


def test_a_local_stand_in_is_reached_directly_never_through_a_proxy(
    netlify: FakeNetlify, trusted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy named by the environment would see the token; for this machine none is used.
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("no_proxy", "")
    response = transport.send(api.bandwidth_request(TOKEN, "acme", base=netlify.url))
    assert response.status == 200


def test_an_untrusted_certificate_is_refused(netlify: FakeNetlify) -> None:
    with pytest.raises(api.NetworkError, match="certificate could not be verified"):
        transport.send(api.accounts_request(TOKEN, base=netlify.url))
    assert netlify.api_requests() == []


def trickling_server(gap: float) -> tuple[str, threading.Event]:
    """An API on loopback that answers one byte at a time, `gap` seconds apart, until stopped:
    each read is prompt, the answer never ends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection, listener:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b" " * 100000:
                if stop.wait(gap):
                    return
                connection.sendall(bytes([byte]))

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/api/v1", stop


def test_an_answer_that_trickles_in_is_given_up_on_at_the_deadline() -> None:
    base, stop = trickling_server(0.1)
    started = time.monotonic()
    try:
        with pytest.raises(api.TimedOut, match="did not answer within"):
            transport.check(TOKEN, ["acme"], base=base, deadline=1.5)
    finally:
        stop.set()
    assert time.monotonic() - started < 5


def test_a_request_still_stuck_when_the_check_ends_does_not_hold_up_the_exit() -> None:
    # The figures answer at once; the team's details never do. The check is over at the
    # deadline, and the process ends then, not when the stuck thread would.
    program = """
import sys, threading, time
sys.path.insert(0, sys.argv[1])
from checker.netlify import api, samples
from checker import transport
def send(request):
    if request.url.endswith("/bandwidth"):
        return samples.RECORDED_BANDWIDTH
    threading.Event().wait(600)
reports = transport.check("nfp_" + "a1" * 20, ["acme"], send, deadline=1)
print(reports[0].plan)
"""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", program, str(ROOT)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "unknown"  # the details were given up on
    assert time.monotonic() - started < 15


def test_the_command_line_sends_up_to_the_cap_at_once_and_no_more() -> None:
    teams = many_teams(CAP * 2 + 1)
    lock = threading.Lock()
    in_flight, most = 0, 0

    def send(request: api.Request) -> api.Response:
        nonlocal in_flight, most
        if request.url.endswith("/accounts"):
            return api.Response(200, json.dumps(teams).encode())
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return samples.RECORDED_BANDWIDTH

    reports = transport.check(TOKEN, [""], send, now=lambda: NOW)
    # In the list's order, whatever order the answers came in.
    assert [report.account.slug for report in reports] == [team["slug"] for team in teams]
    assert most == CAP
