"""The CLI in-process (Typer's CliRunner) over a data directory and database of a test's own: each call builds
its services afresh, as a new `tenantry` process would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from tenantry.cli import context
from tenantry.cli.main import cli

Run = Callable[..., Result]


def _forget_services() -> None:
    if context.services.cache_info().currsize:
        context.services().store.dispose()
    context.services.cache_clear()


@contextmanager
def cli_runner(home: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None = None) -> Iterator[Run]:
    """`run("app", "create", ...)` over `home` (and `database_url`, else SQLite in `home`)."""
    monkeypatch.setenv("TENANTRY_HOME", str(home))
    if database_url:
        monkeypatch.setenv("TENANTRY_DATABASE_URL", database_url)
    else:
        monkeypatch.delenv("TENANTRY_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "80")

    def invoke(*args: str) -> Result:
        _forget_services()
        return CliRunner().invoke(cli, list(args))

    try:
        yield invoke
    finally:
        _forget_services()
