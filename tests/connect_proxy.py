"""A forward proxy on loopback that lets a browser reach the fake API under Netlify's real names.

Firefox and WebKit have nothing like Chromium's --host-resolver-rules, but both can be told to use
a proxy. This one tunnels `CONNECT <name>:443` for the names it is given to the fake server's port,
and refuses every other host, recording it: the refusals prove that the page contacted nobody else.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Mapping
from socketserver import StreamRequestHandler, ThreadingTCPServer


class ConnectProxy:
    def __init__(self, routes: Mapping[str, int]) -> None:
        """`routes` maps a host name to the loopback port that answers for its port 443."""
        self.routes = dict(routes)
        self.tunnelled: list[str] = []
        self.refused: list[str] = []
        proxy = self

        class Handler(_Tunnel):
            owner = proxy

        self.server = ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        self.tunnelled.clear()
        self.refused.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Tunnel(StreamRequestHandler):
    owner: ConnectProxy

    def handle(self) -> None:
        request_line = self.rfile.readline(8192).decode("latin-1").strip()
        if not request_line:
            # A connection closed before it asked for anything (Firefox opens one ahead of need,
            # and one cut short by a worker's end says nothing): no host was contacted.
            return
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass  # the request's headers: a tunnel needs none of them
        method, _, rest = request_line.partition(" ")
        target = rest.split(" ", 1)[0]
        host, _, port = target.rpartition(":")
        routed = self.owner.routes.get(host) if method == "CONNECT" and port == "443" else None
        if routed is None:
            # Plain-HTTP requests through the proxy name a URL; record where they were going.
            self.owner.refused.append(target if method == "CONNECT" else f"{method} {target}")
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        self.owner.tunnelled.append(host)
        with socket.create_connection(("127.0.0.1", routed)) as upstream:
            self.wfile.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            self.wfile.flush()
            _relay(self.connection, upstream)


def _relay(client: socket.socket, upstream: socket.socket) -> None:
    ends = [client, upstream]
    while True:
        readable, _, _ = select.select(ends, [], [], 120)
        if not readable:
            return
        for end in readable:
            try:
                data = end.recv(65536)
            except OSError:
                return
            if not data:
                return
            (upstream if end is client else client).sendall(data)
