"""A read-through cache of the directory data every token request reads, exact across processes.

The token endpoint reads the same few rows (tenant, app, service principal, credentials, role
assignments) on every request. This cache serves them from memory and is dropped whole as soon as the
database changed, whoever changed it (this process, another worker, the CLI): the `ChangeWatcher` of
`tenantry.store.watchers` tells, at the start of every request. While the watcher has no trustworthy
answer (a commit in flight: generation None), every lookup reads the database and nothing is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from tenantry.store.watchers import ChangeWatcher

T = TypeVar("T")
_MISSING = object()
MAX_ENTRIES = 50_000


class ReadCache:
    """Memoises read-only lookups for as long as the database stays unchanged."""

    def __init__(self, watcher: ChangeWatcher) -> None:
        self._watcher = watcher
        self._lock = threading.Lock()
        self._generation: Hashable | None = object()
        self._entries: dict[Hashable, object] = {}

    def refresh(self) -> Hashable | None:
        """Look at the database once (per request) and drop everything if it changed (or may have)."""
        generation = self._watcher.current()
        if generation != self._generation:
            with self._lock:
                if generation != self._generation:
                    self._entries = {}
                    self._generation = generation
        return generation

    def get(self, generation: Hashable | None, key: Hashable, load: Callable[[], T]) -> T:
        """The cached value of `key`, loading (and keeping, if nothing changed meanwhile) on a miss; with
        no generation, always loaded and never kept."""
        if generation is None:
            return load()
        found = self._entries.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        value = load()
        with self._lock:
            if generation == self._generation:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries = {}
                self._entries[key] = value
        return value
