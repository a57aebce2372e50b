"""Threads that make RSA signatures for the event loop, and nothing else.

`cryptography` releases the GIL while it signs, so signatures made on these threads run on other cores
while the event loop goes on with the next requests. A general-purpose thread hop (anyio's `to_thread`,
`run_in_executor`) costs more Python per call than the rest of a client-credentials request; this
pool is a C queue, one future and one `call_soon_threadsafe` per request.
"""

from __future__ import annotations

import asyncio
import queue
import threading

from tenantry.tokens.mint import UnsignedToken

_Job = tuple[UnsignedToken, "asyncio.Future[str]"]
_Outcome = tuple["asyncio.Future[str]", str | None, Exception | None]


def _sign(job: _Job) -> _Outcome:
    token, future = job
    try:
        return future, token.sign(), None
    except Exception as error:  # handed to the awaiting request, which reports it
        return future, None, error


def _deliver(outcome: _Outcome) -> None:
    """On the event loop: wake the request whose tokens are signed (unless it was cancelled meanwhile)."""
    future, signed, error = outcome
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(signed or "")


class SigningPool:
    """A fixed set of daemon threads fed by one queue; started on first use, stopped by `close`."""

    def __init__(self, threads: int) -> None:
        self._size = max(1, threads)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def threads(self) -> tuple[threading.Thread, ...]:
        """The running threads (none before the first signature or after `close`)."""
        return tuple(self._threads)

    async def sign(self, token: UnsignedToken) -> str:
        """The signed token (its compact JWS)."""
        if not self._threads:
            self._start()
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._jobs.put((token, future))
        return await future

    def _start(self) -> None:
        with self._lock:
            while len(self._threads) < self._size:
                thread = threading.Thread(target=self._work, name=f"tenantry-signing-{len(self._threads)}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            outcome = _sign(job)
            job[1].get_loop().call_soon_threadsafe(_deliver, outcome)

    def close(self) -> None:
        """Let every thread finish its current job and exit."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._jobs.put(None)
        for thread in threads:
            thread.join(timeout=5)
