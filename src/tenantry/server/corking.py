"""One write per response instead of two: uvicorn writes a response's head when the app starts it and
the body when the app sends it, and over TLS every write becomes its own TLS record, its own
`SSLObject.write` (which releases and re-takes the GIL) and its own `send` system call.

`CorkedTransport` holds the writes made during one step of the event loop and hands them to the real
transport together at the end of that step (`call_soon`), which for a small response is one record and
one system call. Order is kept, and nothing waits longer than the current step.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CorkedTransport:
    """A transport proxy that coalesces the writes of one event-loop step; everything else is forwarded."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Queue `data`; the first write of a step schedules the flush at the step's end."""
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        """Queue each of `lines`."""
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Hand everything queued to the real transport as one write."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def get_write_buffer_size(self) -> int:
        """What the real transport buffers plus what is still queued here."""
        return self._transport.get_write_buffer_size() + sum(len(data) for data in self._pending)

    def write_eof(self) -> None:
        """Flush, then half-close."""
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        """Flush, then close (the real transport still sends what it buffered)."""
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        """Drop what is queued and abort."""
        self._pending = []
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CorkedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a `CorkedTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Wrap the transport before uvicorn keeps it."""
        super().connection_made(CorkedTransport(transport, self.loop))  # type: ignore[arg-type]
