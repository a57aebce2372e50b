"""Bind the listening sockets before anything else starts (issue 9 §10: `make run` on a taken port).

uvicorn binds inside its start-up and answers a taken port with a logged `OSError` and exit code 3;
we bind first, as asyncio's `create_server` would (one socket per address `host` resolves to,
`SO_REUSEADDR`, IPv6 sockets v6-only), so that a taken port is a typed error the CLI can state in one
line, before any banner or migration output.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable

BACKLOG = 2048  # uvicorn's default


class ListenError(Exception):
    """A port cannot be listened on; `reason` is the operating system's word for why."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(f"cannot listen on {host}:{port}: {reason}")
        self.host = host
        self.port = port
        self.reason = reason


class PortInUseError(ListenError):
    """Another process listens on the port; `suggestion` is a nearby port that was free a moment ago."""

    def __init__(self, host: str, port: int, suggestion: int) -> None:
        super().__init__(host, port, "address already in use")
        self.suggestion = suggestion


def bind_listeners(host: str, ports: Iterable[int]) -> list[socket.socket]:
    """Listening, non-blocking sockets for every port; nothing stays open when one fails."""
    bound: list[socket.socket] = []
    try:
        for port in ports:
            bound.extend(_bind_port(host, port))
    except BaseException:
        for sock in bound:
            sock.close()
        raise
    return bound


def _bind_port(host: str, port: int) -> list[socket.socket]:
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ListenError(host, port, str(exc.strerror)) from exc
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _name, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            _listen(sock, family, address, host, port)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _listen(sock: socket.socket, family: int, address: tuple[object, ...], host: str, port: int) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    try:
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(host, port, suggest_port(host, port)) from exc
        raise ListenError(host, port, exc.strerror or str(exc)) from exc
    sock.setblocking(False)


def suggest_port(host: str, taken: int) -> int:
    """A free port near `taken`: 1000 above it (8443 → 9443) if free, else the next free one after that."""
    start = taken + 1000 if taken + 1000 <= 65535 else 1024
    for candidate in range(start, min(start + 100, 65536)):
        if _is_free(host, candidate):
            return candidate
    return start


def _is_free(host: str, port: int) -> bool:
    try:
        socket.create_server((host, port)).close()  # with SO_REUSEADDR, as the server binds
    except OSError:
        return False
    return True
