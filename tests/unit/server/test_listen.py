"""Binding before the server starts (issue 9 §10): a taken port is a typed error naming it and a free port
nearby, and a failed bind leaves nothing open."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tenantry.server.listen import ListenError, PortInUseError, bind_listeners, suggest_port


@pytest.fixture
def taken() -> Iterator[int]:
    """A port another socket listens on (as another server would)."""
    with socket.create_server(("127.0.0.1", 0)) as other:
        yield int(other.getsockname()[1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_binds_listening_non_blocking_sockets() -> None:
    """One socket per port on 127.0.0.1, listening and non-blocking, ready for asyncio."""
    port = _free_port()
    sockets = bind_listeners("127.0.0.1", [port])
    try:
        assert [s.getsockname() for s in sockets] == [("127.0.0.1", port)]
        assert not sockets[0].getblocking()
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
    finally:
        for sock in sockets:
            sock.close()


def test_taken_port_names_itself_and_a_free_one(taken: int) -> None:
    """EADDRINUSE becomes PortInUseError with the port and a suggestion that can be bound."""
    with pytest.raises(PortInUseError) as caught:
        bind_listeners("127.0.0.1", [taken])
    error = caught.value
    assert (error.host, error.port) == ("127.0.0.1", taken)
    assert error.suggestion != taken
    socket.create_server(("127.0.0.1", error.suggestion)).close()


def test_a_later_taken_port_releases_the_earlier_ones(taken: int) -> None:
    """`--port A --port B` with B taken: A is not left bound."""
    first = _free_port()
    with pytest.raises(PortInUseError):
        bind_listeners("127.0.0.1", [first, taken])
    socket.create_server(("127.0.0.1", first)).close()


def test_other_failures_are_listen_errors() -> None:
    """An address that is not ours (or a name that does not resolve) is a ListenError, not an OSError."""
    with pytest.raises(ListenError) as caught:
        bind_listeners("192.0.2.1", [_free_port()])  # TEST-NET-1: never a local address
    assert not isinstance(caught.value, PortInUseError)
    assert "cannot listen on 192.0.2.1:" in str(caught.value)


def test_suggestion_is_a_thousand_above_when_free() -> None:
    """8443 → 9443: the number people expect, when nothing listens there."""
    port = _free_port()
    if port + 1000 > 65535:
        pytest.skip("the free port is too high for +1000")
    suggested = suggest_port("127.0.0.1", port)
    assert suggested >= port + 1000
