"""`HeaderDeadlineProtocol` (issue 9 §8) over a real loopback socket with a short deadline: late headers
close the connection, trickled bytes do not extend it, an idle keep-alive connection is left to uvicorn's
keep-alive timeout, and a busy keep-alive connection arms a timer per deadline period, not per request."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import uvicorn
from uvicorn.server import ServerState

from tenantry.server.header_deadline import HeaderDeadlineProtocol

TIMEOUT = 0.3
MARGIN = 1.0
REQUEST = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n"


async def _ok(
    scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


class CountingProtocol(HeaderDeadlineProtocol):
    """Counts the deadline timers it arms."""

    armed = 0

    def _arm_header_timer(self) -> None:
        type(self).armed += 1
        super()._arm_header_timer()


async def _server() -> tuple[asyncio.Server, int]:
    config = uvicorn.Config(_ok, lifespan="off", log_level="warning", timeout_keep_alive=30)
    config.load()
    factory = partial(CountingProtocol, config, ServerState(), {}, header_timeout=TIMEOUT)
    server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
    return server, int(server.sockets[0].getsockname()[1])


async def _response(reader: asyncio.StreamReader) -> bytes:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    return head + await asyncio.wait_for(reader.readexactly(2), 5)


async def _closed_after(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, trickle: bytes) -> float:
    """Send `trickle` a byte at a time until the server hangs up; the seconds that took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    read = asyncio.ensure_future(reader.read(1))
    for byte in trickle:
        done, _ = await asyncio.wait({read}, timeout=0.05)
        if done or loop.time() - started > TIMEOUT + MARGIN:
            break
        writer.write(bytes([byte]))
    with contextlib.suppress(ConnectionResetError):
        assert await asyncio.wait_for(read, MARGIN) == b""
    writer.close()
    return loop.time() - started


def _run(scenario: Callable[[int], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        server, port = await _server()
        try:
            return await scenario(port)
        finally:
            server.close()

    return asyncio.run(main())


def test_a_silent_connection_is_closed_at_the_deadline() -> None:
    async def scenario(port: int) -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return await _closed_after(reader, writer, b"")

    assert TIMEOUT - 0.05 <= _run(scenario) <= TIMEOUT + MARGIN


def test_trickled_headers_do_not_extend_the_deadline() -> None:
    async def scenario(port: int) -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return await _closed_after(reader, writer, b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 1000)

    assert TIMEOUT - 0.05 <= _run(scenario) <= TIMEOUT + MARGIN


def test_idle_keep_alive_stays_then_a_trickle_after_it_is_closed() -> None:
    """Idle after a response is uvicorn's keep-alive business; the next request's first byte (even a
    stray CRLF, which begins no request) starts a new deadline."""

    async def scenario(port: int) -> tuple[bytes, bytes, float]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(REQUEST)
        first = await _response(reader)
        await asyncio.sleep(TIMEOUT * 2)
        writer.write(REQUEST)
        second = await _response(reader)
        return first, second, await _closed_after(reader, writer, b"\r\n" * 500)

    first, second, closed = _run(scenario)
    assert first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200")
    assert TIMEOUT - 0.05 <= closed <= TIMEOUT + MARGIN


def test_back_to_back_requests_arm_a_timer_per_period_not_per_request() -> None:
    async def scenario(port: int) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        CountingProtocol.armed = 0
        for _ in range(100):
            writer.write(REQUEST)
            assert (await _response(reader)).startswith(b"HTTP/1.1 200")
        writer.close()
        return CountingProtocol.armed

    assert _run(scenario) <= 5
