"""The change watchers behind the read cache: cheap, and never blind to a commit, wherever it came from."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tenantry.store.cache import ReadCache
from tenantry.store.engine import make_engine
from tenantry.store.watchers import ChangeWatcher, SqliteDataVersion, SqliteWalIndex, _map_header, watcher_for


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "watched.db")
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield path
    engine.dispose()


def _insert(path: str, value: int) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("INSERT INTO t VALUES (?)", (value,))
    finally:
        connection.close()


@pytest.fixture(params=["wal-index", "data-version"])
def watcher(request: pytest.FixtureRequest, database: str) -> Iterator[ChangeWatcher]:
    opened = SqliteWalIndex.open(database) if request.param == "wal-index" else SqliteDataVersion(database)
    assert opened is not None
    yield opened
    opened.close()


def test_a_wal_database_is_watched_through_its_wal_index(database: str) -> None:
    engine = make_engine(f"sqlite:///{database}")
    try:
        found = watcher_for(engine)
        assert isinstance(found, SqliteWalIndex)
        found.close()
    finally:
        engine.dispose()


def test_a_fresh_database_file_is_put_in_wal_mode_and_watched(tmp_path: Path) -> None:
    found = SqliteWalIndex.open(str(tmp_path / "new.db"))
    assert found is not None
    found.close()


def test_an_in_memory_database_is_not_cached() -> None:
    assert watcher_for(create_engine("sqlite:///:memory:")) is None


def test_reading_changes_nothing(watcher: ChangeWatcher, database: str) -> None:
    before = watcher.current()
    connection = sqlite3.connect(database)
    connection.execute("SELECT count(*) FROM t").fetchone()
    connection.close()
    assert watcher.current() == before


def test_a_commit_on_another_connection_is_seen_at_once(watcher: ChangeWatcher, database: str) -> None:
    seen = [watcher.current()]
    for value in range(3):
        _insert(database, value)
        seen.append(watcher.current())
    assert len(set(seen)) == 4


def test_a_commit_by_another_process_is_seen_at_once(watcher: ChangeWatcher, database: str) -> None:
    before = watcher.current()
    script = (
        "import sqlite3, sys\nsqlite3.connect(sys.argv[1], isolation_level=None).execute('INSERT INTO t VALUES (1)')"
    )
    subprocess.run([sys.executable, "-c", script, database], check=True, timeout=30)
    assert watcher.current() != before


def test_a_checkpoint_that_restarts_the_wal_still_counts_as_a_change(watcher: ChangeWatcher, database: str) -> None:
    _insert(database, 1)
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    connection.close()
    before = watcher.current()
    _insert(database, 2)
    assert watcher.current() != before


def test_commits_from_threads_are_all_seen(watcher: ChangeWatcher, database: str) -> None:
    before = watcher.current()
    threads = [threading.Thread(target=_insert, args=(database, value)) for value in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert watcher.current() != before


def test_a_file_too_short_to_be_a_wal_index_is_not_mapped(tmp_path: Path) -> None:
    shm = tmp_path / "short.db-shm"
    shm.write_bytes(b"\0" * 50)
    assert _map_header(shm) is None


def test_a_wal_index_of_another_version_is_not_mapped(tmp_path: Path) -> None:
    shm = tmp_path / "other.db-shm"
    shm.write_bytes(b"\1\2\3\4" + b"\0" * 200)
    assert _map_header(shm) is None


def test_the_read_cache_drops_its_entries_after_a_commit(database: str) -> None:
    watcher = SqliteWalIndex.open(database)
    assert watcher is not None
    cache = ReadCache(watcher)
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    try:
        assert cache.get(cache.refresh(), "key", load) == 1
        assert cache.get(cache.refresh(), "key", load) == 1
        _insert(database, 1)
        assert cache.get(cache.refresh(), "key", load) == 2
    finally:
        watcher.close()
