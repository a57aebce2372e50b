"""`CorkedTransport`: the writes of one event-loop step reach the real transport as one, in order."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from tenantry.server.corking import CorkedTransport


class RecordingTransport:
    """Stands in for the socket/TLS transport: records what it is asked to do."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.buffered = 0

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def close(self) -> None:
        self.calls.append(("close", None))

    def abort(self) -> None:
        self.calls.append(("abort", None))

    def write_eof(self) -> None:
        self.calls.append(("write_eof", None))

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


def _corked(loop: asyncio.AbstractEventLoop) -> tuple[CorkedTransport, RecordingTransport]:
    real = RecordingTransport()
    return CorkedTransport(cast(asyncio.Transport, real), loop), real


def test_writes_of_one_step_become_one_write_at_its_end() -> None:
    async def run() -> RecordingTransport:
        corked, real = _corked(asyncio.get_running_loop())
        corked.write(b"HTTP/1.1 200 OK\r\n\r\n")
        corked.write(bytearray(b"{}"))
        assert real.calls == []
        assert corked.get_write_buffer_size() == 21
        await asyncio.sleep(0)
        corked.write(b"next")
        await asyncio.sleep(0)
        return real

    real = asyncio.run(run())
    assert real.calls == [("write", b"HTTP/1.1 200 OK\r\n\r\n{}"), ("write", b"next")]


def test_close_and_write_eof_send_what_is_queued_first() -> None:
    async def run() -> RecordingTransport:
        corked, real = _corked(asyncio.get_running_loop())
        corked.writelines([b"a", b"b"])
        corked.write_eof()
        corked.write(b"c")
        corked.close()
        await asyncio.sleep(0)  # the scheduled flushes find nothing left
        return real

    real = asyncio.run(run())
    assert real.calls == [("write", b"ab"), ("write_eof", None), ("write", b"c"), ("close", None)]


def test_abort_drops_what_is_queued() -> None:
    async def run() -> RecordingTransport:
        corked, real = _corked(asyncio.get_running_loop())
        corked.write(b"lost")
        corked.abort()
        await asyncio.sleep(0)
        return real

    assert asyncio.run(run()).calls == [("abort", None)]


def test_everything_else_is_the_real_transport() -> None:
    async def run() -> str:
        corked, _real = _corked(asyncio.get_running_loop())
        return cast(str, corked.get_extra_info("peername"))

    assert asyncio.run(run()) == "info:peername"
