"""Connection hygiene (issue 9 §8): the real server (uvloop, TLS) drops connections whose TLS handshake or
request headers are late, while it keeps serving everyone else.

200 slow connections, four kinds: silent after connecting; a ClientHello trickled a byte at a time;
a request's headers trickled after the handshake; and, on a keep-alive connection after a served request,
the next request trickled. Each must be closed by the server `TIMEOUT` after it began (accept, or the
first byte after the response), within a margin; a normal client is served meanwhile, and an idle
keep-alive connection is not cut by the header timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support.live_server import LiveServer, free_port

pytestmark = pytest.mark.compat

TIMEOUT = 2.0
MARGIN = 3.0  # a shared two-core machine, 200 handshakes at once
TICK = 0.4  # one byte this often
PER_KIND = 50
KINDS = ("silent", "tls-trickle", "header-trickle", "keep-alive-trickle")
DISCOVERY = "/common/v2.0/.well-known/openid-configuration"
REQUEST = f"GET {DISCOVERY} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
PARTIAL_REQUEST = f"GET {DISCOVERY} HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".encode() + b"a" * 200


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of its own with a short header timeout."""
    live = LiveServer(tmp_path, free_port(), extra_args=(), settings={"TENANTRY_HEADER_TIMEOUT_SECONDS": str(TIMEOUT)})
    live.start()
    yield live
    live.stop()


@dataclass
class Held:
    """One slow connection: when its slow part began and when the server closed it (None: still open)."""

    kind: str
    began: float
    closed: float | None

    @property
    def lasted(self) -> float | None:
        """Seconds from the beginning of the slow part to the server's close."""
        return None if self.closed is None else self.closed - self.began


def _client_hello(context: ssl.SSLContext) -> bytes:
    outgoing = ssl.MemoryBIO()
    tls = context.wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):
        tls.do_handshake()
    return outgoing.read()


async def _read_response(reader: asyncio.StreamReader) -> bytes:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    return head + await asyncio.wait_for(reader.readexactly(length), 10)


async def _open(kind: str, port: int, context: ssl.SSLContext) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    if kind in ("silent", "tls-trickle"):
        return await asyncio.open_connection("127.0.0.1", port)
    return await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname="localhost")


async def _hold(kind: str, port: int, context: ssl.SSLContext, stop: float) -> Held:
    """Open one slow connection of `kind` and trickle until the server closes it or `stop` passes."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    reader, writer = await _open(kind, port, context)
    trickle = {"silent": b"", "tls-trickle": _client_hello(context)[:-1]}.get(kind, PARTIAL_REQUEST)
    if kind == "keep-alive-trickle":
        writer.write(REQUEST)
        assert (await _read_response(reader)).startswith(b"HTTP/1.1 200")
        began = loop.time()
    read = asyncio.ensure_future(reader.read(65536))
    closed: float | None = None
    pending = iter(trickle)
    while loop.time() < stop:
        done, _ = await asyncio.wait({read}, timeout=TICK)
        if done:
            with contextlib.suppress(OSError, ssl.SSLError):
                assert read.result() == b"", f"{kind}: the server answered instead of closing"
            closed = loop.time()
            break
        byte = next(pending, None)
        if byte is not None:
            with contextlib.suppress(OSError):
                writer.write(bytes([byte]))
    read.cancel()
    writer.transport.abort()
    return Held(kind, began, closed)


async def _normal_client(base_url: str, context: ssl.SSLContext, until: float) -> list[tuple[int, float]]:
    """A well-behaved client asking discovery over fresh connections while the slow ones are held."""
    loop = asyncio.get_running_loop()
    answers: list[tuple[int, float]] = []
    while loop.time() < until:
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=base_url, verify=context, timeout=10.0) as client:
            response = await client.get(DISCOVERY)
        answers.append((response.status_code, time.monotonic() - started))
        await asyncio.sleep(0.3)
    return answers


async def _idle_keep_alive(port: int, context: ssl.SSLContext, idle: float) -> tuple[bytes, bytes]:
    """A request, `idle` seconds of silence (longer than the header timeout), then another request."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname="localhost")
    writer.write(REQUEST)
    first = await _read_response(reader)
    await asyncio.sleep(idle)
    writer.write(REQUEST)
    second = await _read_response(reader)
    writer.transport.abort()
    return first, second


async def _scenario(server: LiveServer) -> tuple[list[Held], list[tuple[int, float]], tuple[bytes, bytes]]:
    context = ssl.create_default_context(cafile=str(server.ca_path))
    loop = asyncio.get_running_loop()
    stop = loop.time() + TIMEOUT + MARGIN + 2
    held = asyncio.gather(*(_hold(kind, server.port, context, stop) for kind in KINDS for _ in range(PER_KIND)))
    normal = _normal_client(server.base_url, context, loop.time() + TIMEOUT)
    idle = _idle_keep_alive(server.port, context, TIMEOUT + 1)
    return await asyncio.gather(held, normal, idle)


def test_slow_connections_are_dropped_while_others_are_served(server: LiveServer) -> None:
    """Every slow connection is closed between `TIMEOUT` and `TIMEOUT + MARGIN` after it began; the normal
    client got its answers meanwhile, and an idle keep-alive connection survived the header timeout."""
    held, answers, (first, second) = asyncio.run(_scenario(server))

    still_open = Counter(h.kind for h in held if h.closed is None)
    assert not still_open, f"never closed by the server: {dict(still_open)}"
    lasted = sorted((h.lasted or 0.0, h.kind) for h in held)
    assert lasted[0][0] >= TIMEOUT - 0.2, f"closed too early: {lasted[:3]}"
    assert lasted[-1][0] <= TIMEOUT + MARGIN, f"closed too late: {lasted[-3:]}"
    assert answers and all(status == 200 for status, _ in answers), answers
    assert max(seconds for _, seconds in answers) < MARGIN, answers
    assert first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200")
