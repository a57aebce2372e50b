"""A write transaction begun `unsignalled` (the sign-in log's) leaves the change file alone, so the read caches
stay warm; the next ordinary write on the same pooled connection signals again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tenantry.store.change_file import change_file_path
from tenantry.store.engine import UNSIGNALLED_OPTION, WRITE_OPTION, make_engine
from tenantry.store.watchers import ChangeFileWatcher


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """Tenantry's engine on a file database with one table, one pooled connection."""
    made = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    with made.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield made
    made.dispose()


def _insert(engine: Engine, *, unsignalled: bool) -> None:
    with engine.connect() as connection:
        options = {WRITE_OPTION: True, UNSIGNALLED_OPTION: unsignalled}
        with connection.execution_options(**options).begin():
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")


def test_an_unsignalled_write_keeps_the_token_and_an_ordinary_one_moves_it(engine: Engine) -> None:
    assert engine.url.database is not None
    watcher = ChangeFileWatcher.open(change_file_path(engine.url.database))
    assert watcher is not None
    try:
        before = watcher.current()
        _insert(engine, unsignalled=True)
        assert watcher.current() == before
        _insert(engine, unsignalled=False)
        assert watcher.current() not in (before, None)
    finally:
        watcher.close()
