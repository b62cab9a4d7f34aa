"""The CPython transport against the fake Netlify API over real HTTPS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker import api, samples, transport
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
