"""Render command results as JSON (`--json`) or as Rich tables for people."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()
err_console = Console(stderr=True)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of a table.")


def print_json(data: Any) -> None:
    """Machine-readable output on stdout, nothing else."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A Rich table."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def print_record(data: dict[str, Any]) -> None:
    """A key/value table for one object."""
    print_table(
        "",
        ("Property", "Value"),
        [(k, json.dumps(v) if isinstance(v, list | dict) else v) for k, v in data.items()],
    )


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error to stderr (unwrapped; brackets in names and URIs are text, not Rich markup) and
    return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)
