"""The change watchers behind the read cache: cheap, and never blind to a commit, wherever it came from."""

from __future__ import annotations

import builtins
import io
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from tenantry.store.cache import ReadCache
from tenantry.store.change_file import ChangeFile, change_file_path
from tenantry.store.engine import make_engine
from tenantry.store.migrate import upgrade_database
from tenantry.store.watchers import ChangeFileWatcher, ChangeWatcher, SqliteDataVersion, watcher_for

SQLITE_OWN = ("", "-wal", "-shm", "-journal")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """Tenantry's engine on a file database with one table."""
    made = make_engine(f"sqlite:///{tmp_path / 'watched.db'}")
    with made.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield made
    made.dispose()


@pytest.fixture
def database(engine: Engine) -> str:
    assert engine.url.database is not None
    return engine.url.database


def _insert(engine: Engine, value: int) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO t VALUES (?)", (value,))


@pytest.fixture(params=["change-file", "data-version"])
def watcher(request: pytest.FixtureRequest, database: str) -> Iterator[ChangeWatcher]:
    opened: ChangeWatcher | None
    if request.param == "change-file":
        opened = ChangeFileWatcher.open(change_file_path(database))
    else:
        opened = SqliteDataVersion(database)
    assert opened is not None
    yield opened
    opened.close()


def test_a_file_database_of_our_engine_is_watched_through_its_change_file(engine: Engine) -> None:
    found = watcher_for(engine)
    try:
        assert isinstance(found, ChangeFileWatcher)
    finally:
        assert found is not None
        found.close()


def test_an_engine_that_does_not_signal_its_commits_falls_back_to_data_version(database: str) -> None:
    plain = create_engine(f"sqlite:///{database}")
    found = watcher_for(plain)
    try:
        assert isinstance(found, SqliteDataVersion)
    finally:
        assert found is not None
        found.close()
        plain.dispose()


def test_an_in_memory_database_is_not_cached() -> None:
    assert watcher_for(create_engine("sqlite:///:memory:")) is None


def test_reading_changes_nothing(watcher: ChangeWatcher, engine: Engine, database: str) -> None:
    before = watcher.current()
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM t").fetchone()
        connection.commit()
    direct = sqlite3.connect(database)
    direct.execute("SELECT count(*) FROM t").fetchone()
    direct.close()
    assert watcher.current() == before


def test_a_rolled_back_write_changes_nothing(watcher: ChangeWatcher, engine: Engine) -> None:
    before = watcher.current()
    with engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        connection.rollback()
    assert watcher.current() == before


def test_a_commit_on_another_connection_is_seen_at_once(watcher: ChangeWatcher, engine: Engine) -> None:
    seen = [watcher.current()]
    for value in range(3):
        _insert(engine, value)
        seen.append(watcher.current())
    assert None not in seen
    assert len(set(seen)) == 4


def test_a_commit_by_another_process_is_seen_at_once(watcher: ChangeWatcher, database: str) -> None:
    before = watcher.current()
    script = (
        "import sys\nfrom tenantry.store.engine import make_engine\n"
        "with make_engine('sqlite:///' + sys.argv[1]).begin() as c:\n    c.exec_driver_sql('INSERT INTO t VALUES (1)')"
    )
    subprocess.run([sys.executable, "-c", script, database], check=True, timeout=60)
    assert watcher.current() not in (before, None)


def test_a_migration_counts_and_a_start_at_head_does_not(watcher: ChangeWatcher, engine: Engine) -> None:
    """Every CLI command checks the schema at start: that must not empty the server's cache each time."""
    before = watcher.current()
    upgrade_database(engine)
    at_head = watcher.current()
    assert at_head not in (before, None)
    upgrade_database(engine)
    assert watcher.current() == at_head


def test_a_checkpoint_that_restarts_the_wal_still_counts_as_a_change(
    watcher: ChangeWatcher, engine: Engine, database: str
) -> None:
    _insert(engine, 1)
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    connection.close()
    before = watcher.current()
    _insert(engine, 2)
    assert watcher.current() != before


def test_commits_from_threads_are_all_seen(watcher: ChangeWatcher, engine: Engine) -> None:
    before = watcher.current()
    threads = [threading.Thread(target=_insert, args=(engine, value)) for value in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert watcher.current() not in (before, None)


def test_the_read_cache_drops_its_entries_after_a_commit(engine: Engine, database: str) -> None:
    watcher = ChangeFileWatcher.open(change_file_path(database))
    assert watcher is not None
    cache = ReadCache(watcher)
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    try:
        assert cache.get(cache.refresh(), "key", load) == 1
        assert cache.get(cache.refresh(), "key", load) == 1
        _insert(engine, 1)
        assert cache.get(cache.refresh(), "key", load) == 2
    finally:
        watcher.close()


def test_a_writer_killed_between_commit_and_clear_leaves_caches_bypassed_not_stale(
    engine: Engine, database: str
) -> None:
    """The change file is marked before the commit, so a commit whose clear never came is never trusted."""
    watcher = ChangeFileWatcher.open(change_file_path(database))
    assert watcher is not None
    cache = ReadCache(watcher)
    try:
        assert cache.get(cache.refresh(), "key", lambda: "cached") == "cached"
        ChangeFile(change_file_path(database)).mark()  # ...then the process dies after its COMMIT
        assert cache.refresh() is None
        assert cache.get(cache.refresh(), "key", lambda: "fresh") == "fresh"
        assert cache.get(cache.refresh(), "key", lambda: "fresher") == "fresher", "nothing is kept meanwhile"
        _insert(engine, 1)  # the next writer's commit settles the file again
        assert cache.get(cache.refresh(), "key", lambda: "kept") == "kept"
        assert cache.get(cache.refresh(), "key", lambda: "not loaded") == "kept"
    finally:
        watcher.close()


def test_a_clear_never_hides_another_writers_commit_in_flight(database: str) -> None:
    """Writer A clears after writer B marked: the value stays odd until B clears, so B's commit is not missed."""
    watcher = ChangeFileWatcher.open(change_file_path(database))
    assert watcher is not None
    first, second = ChangeFile(change_file_path(database)), ChangeFile(change_file_path(database))
    try:
        a = first.mark()
        b = second.mark()
        first.clear(a)
        assert watcher.current() is None
        second.clear(b)
        assert watcher.current() is not None
    finally:
        watcher.close()
        first.close()
        second.close()


def test_the_change_file_is_private_and_never_shortened(tmp_path: Path) -> None:
    path = tmp_path / "x.db.changes"
    path.write_bytes(b"\x02" * 8 + b"future fields")
    os.chmod(path, 0o644)
    changes = ChangeFile(path)
    try:
        changes.touch()
    finally:
        changes.close()
    assert path.stat().st_size == 8 + len(b"future fields")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_bytes()[8:] == b"future fields"


def test_a_new_change_file_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        watcher = ChangeFileWatcher.open(tmp_path / "y.db.changes")
    finally:
        os.umask(previous)
    assert watcher is not None
    watcher.close()
    assert (tmp_path / "y.db.changes").stat().st_mode & 0o777 == 0o600


def test_watching_and_writing_never_open_sqlites_own_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing any descriptor of a SQLite file drops the process's POSIX locks on it, SQLite's included: the
    watcher and the change signalling must not open one (SQLite's own C code is not affected by this spy)."""
    opened: list[str] = []
    real_os_open, real_io_open = os.open, io.open

    def os_spy(path: str | os.PathLike[str], *args: int, **kwargs: int) -> int:
        opened.append(os.fspath(path))
        return real_os_open(path, *args, **kwargs)

    def io_spy(file: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(file, int):
            opened.append(os.fspath(file))
        return real_io_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_spy)
    monkeypatch.setattr(io, "open", io_spy)
    monkeypatch.setattr(builtins, "open", io_spy)
    database = str(tmp_path / "spied.db")
    made = make_engine(f"sqlite:///{database}")
    found = watcher_for(made)
    try:
        with made.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        _insert(made, 1)
        assert found is not None
        found.current()
    finally:
        assert found is not None
        found.close()
        made.dispose()
    assert opened, "the spy saw nothing: the change file should have been opened"
    assert not [p for p in opened if any(p == f"{database}{suffix}" for suffix in SQLITE_OWN)]


def test_a_new_database_and_its_wal_files_are_0600_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        made = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        with made.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir() if p.name.startswith("fresh.db")}
        made.dispose()
    finally:
        os.umask(previous)
    assert {"fresh.db", "fresh.db-wal", "fresh.db-shm"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes


def test_an_existing_database_open_to_others_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    sqlite3.connect(database).close()
    os.chmod(database, 0o644)
    made = make_engine(f"sqlite:///{database}")
    with made.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    made.dispose()
    assert database.stat().st_mode & 0o777 == 0o600
