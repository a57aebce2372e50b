"""`tenantry serve` as an operator runs it: a second, private server process, started and stopped.

An idle keep-alive TLS connection is what every MSAL `requests.Session` and azure-core pipeline leaves
behind, so SIGTERM must not wait for such clients to hang up.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.live_server import LiveServer, free_port

pytestmark = pytest.mark.compat

GRACE_SECONDS = 5.0


@pytest.fixture
def private_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of its own (without access log), so stopping it cannot disturb the shared one."""
    server = LiveServer(tmp_path, free_port(), extra_args=())
    server.start()
    yield server
    server.stop()


def test_sigterm_with_an_idle_keep_alive_client_exits_promptly(private_server: LiveServer) -> None:
    """After SIGTERM the server exits within a few seconds even while a client keeps an idle connection open."""
    context = ssl.create_default_context(cafile=str(private_server.ca_path))
    with (
        socket.create_connection(("127.0.0.1", private_server.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as conn,
    ):
        conn.sendall(b"GET /common/v2.0/.well-known/openid-configuration HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")
        elapsed = private_server.terminate(timeout=GRACE_SECONDS)
    assert elapsed is not None, f"still running {GRACE_SECONDS} s after SIGTERM:\n{private_server.output()}"
