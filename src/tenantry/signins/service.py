"""`SignInLog`: recording never blocks a request; one background thread writes the entries in batches.

`record` appends to an in-process deque (atomic under the GIL, no lock, no I/O). The writer thread wakes
every `interval` seconds (200 ms), builds the queued entries (callers may queue a builder and its arguments,
so that the request pays for a tuple, not for the entry) and writes up to `batch` of them per transaction.
A crash loses at most the entries of the last interval, and never a token: the log is written after the
answer, apart from it. A database error is logged and the batch dropped; the writer keeps going. The writer
also purges entries older than the retention period, once an hour.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

from tenantry.common.clock import Clock
from tenantry.signins.models import SignInEntry, SignInQuery
from tenantry.signins.repository import SignInLogRepository

log = logging.getLogger("tenantry.signins")

Builder = Callable[..., SignInEntry | None]
Transaction = Callable[[], AbstractContextManager[SignInLogRepository]]

# Past this many waiting entries (a writer that cannot keep up, or none started) the oldest are dropped.
MAX_QUEUED = 100_000
PURGE_EVERY = timedelta(hours=1)


def _as_is(entry: SignInEntry) -> SignInEntry:
    return entry


class SignInLog:
    """The sign-in log of one process: queue, writer thread, retention, and reading."""

    def __init__(
        self,
        reads: Transaction,
        writes: Transaction,
        clock: Clock,
        retention: timedelta,
        *,
        interval: float = 0.2,
        batch: int = 500,
    ) -> None:
        self._reads = reads
        self._writes = writes
        self._clock = clock
        self._retention = retention
        self._interval = interval
        self._batch = batch
        self._queue: deque[tuple[Builder, tuple[Any, ...]]] = deque(maxlen=MAX_QUEUED)
        self._drain_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._purged_at = clock.now() - PURGE_EVERY

    def record(self, entry: SignInEntry) -> None:
        """Queue a built entry."""
        self._queue.append((_as_is, (entry,)))

    def record_later(self, build: Builder, *args: Any) -> None:
        """Queue `build(*args)`, run on the writer thread (None: nothing to log)."""
        self._queue.append((build, args))

    def start(self) -> None:
        """Start the writer thread (the server's lifespan does; the CLI and tests may just `flush`)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="sign-in-log writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the writer thread and write what is still queued."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join()
        self.flush()

    def flush(self) -> None:
        """Write everything queued so far (tests, shutdown, the end of a CLI command)."""
        while self._queue:
            self._write_batch()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.flush()
            self._purge_when_due()

    def _write_batch(self) -> None:
        with self._drain_lock:
            entries = self._take()
            if not entries:
                return
            try:
                with self._writes() as unit:
                    unit.add_sign_ins(entries)
            except Exception:  # the log must never stop the writer: report and go on with the next batch
                log.exception("writing %d sign-in log entries failed; they are lost", len(entries))

    def _take(self) -> list[SignInEntry]:
        entries: list[SignInEntry] = []
        while self._queue and len(entries) < self._batch:
            build, args = self._queue.popleft()
            try:
                entry = build(*args)
            except Exception:
                log.exception("building a sign-in log entry failed")
                continue
            if entry is not None:
                entries.append(entry)
        return entries

    def _purge_when_due(self) -> None:
        if self._clock.now() - self._purged_at >= PURGE_EVERY:
            try:
                self.purge()
            except Exception:
                log.exception("purging old sign-in log entries failed")

    def purge(self) -> int:
        """Delete entries older than the retention period; how many went."""
        now = self._clock.now()
        self._purged_at = now
        with self._writes() as unit:
            return unit.purge_sign_ins(now - self._retention)

    def list(self, query: SignInQuery) -> list[SignInEntry]:
        """Entries newest first (Graph `auditLogs/signIns`, `tenantry logs signins`)."""
        with self._reads() as unit:
            return unit.list_sign_ins(query)

    def find(self, tenant_id: str, entry_id: str) -> SignInEntry | None:
        """One entry by id."""
        with self._reads() as unit:
            return unit.find_sign_in(tenant_id, entry_id)
