"""The proxy that Firefox's and WebKit's tests go through: the audit rests on what it records."""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.connect_proxy import ConnectProxy
from tests.fake_netlify import TOKEN, FakeNetlify


@pytest.fixture
def proxy(netlify: FakeNetlify) -> Iterator[ConnectProxy]:
    tunnel = ConnectProxy({"api.netlify.com": netlify.port})
    yield tunnel
    tunnel.close()


def ask(proxy: ConnectProxy, request_line: str) -> tuple[socket.socket, bytes]:
    connection = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    connection.sendall(f"{request_line}\r\nHost: x\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += connection.recv(4096)
    return connection, answer


@pytest.mark.parametrize(
    ("request_line", "recorded"),
    [
        ("CONNECT example.org:443 HTTP/1.1", "example.org:443"),
        ("CONNECT api.netlify.com:80 HTTP/1.1", "api.netlify.com:80"),
        ("GET http://example.org/collect HTTP/1.1", "GET http://example.org/collect"),
    ],
)
def test_every_other_host_is_refused_and_recorded(
    proxy: ConnectProxy, request_line: str, recorded: str
) -> None:
    connection, answer = ask(proxy, request_line)
    connection.close()
    assert answer.startswith(b"HTTP/1.1 403")
    assert proxy.refused == [recorded]
    assert proxy.tunnelled == []


def test_netlifys_name_reaches_the_fake_api_over_tls(
    proxy: ConnectProxy, netlify: FakeNetlify, ca_file: Path
) -> None:
    connection, answer = ask(proxy, "CONNECT api.netlify.com:443 HTTP/1.1")
    assert answer.startswith(b"HTTP/1.1 200")
    context = ssl.create_default_context(cafile=str(ca_file))
    with context.wrap_socket(connection, server_hostname="api.netlify.com") as secure:
        secure.sendall(
            b"GET /api/v1/accounts HTTP/1.1\r\nHost: api.netlify.com\r\n"
            + f"Authorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n".encode()
        )
        reply = b""
        while chunk := secure.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert [team["slug"] for team in json.loads(body)][:1] == ["acme"]
    assert proxy.tunnelled == ["api.netlify.com"] and proxy.refused == []


def test_a_connection_that_asks_for_nothing_is_no_contact(proxy: ConnectProxy) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as connection:
        connection.shutdown(socket.SHUT_WR)
        assert connection.recv(4096) == b""  # closed, with no answer
    _, answer = ask(proxy, "CONNECT example.org:443 HTTP/1.1")
    assert answer.startswith(b"HTTP/1.1 403")
    assert proxy.refused == ["example.org:443"]
