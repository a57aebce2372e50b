"""Output helpers: progress on stderr, verdicts, the common lines of a table, options, the run directory."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent.parent
WORK_DIR = BENCH_DIR / ".work"
MB = 1_000_000


def say(message: str) -> None:
    """Progress goes to stderr, so that `--json` leaves stdout to the figures."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def relative(path: Path) -> Path:
    """A path below the repository, as shown in messages."""
    return path.relative_to(BENCH_DIR.parent)


def verdict(ok: bool | None) -> str:
    """PASS, FAIL or n/a."""
    return "n/a " if ok is None else ("PASS" if ok else "FAIL")


def machine_line(machine: Mapping[str, Any]) -> str:
    """The `machine` line of a table: CPU, cores, load average at start."""
    m = machine
    return (
        f"machine   {m['cpu_model']}, {m['cores']} cores ({m['usable_cores']} usable), load average {m['loadavg']:.2f} "
        "at start"
    )


def target_lines(targets: Iterable[Mapping[str, Any]]) -> list[str]:
    """The `targets` section: one PASS/FAIL/n/a line per target."""
    return ["", "targets", *(f"  {verdict(t['ok'])}  {t['target']}: {t['detail']}" for t in targets)]


def trailer_lines(warnings: Iterable[str], notes: Iterable[str]) -> list[str]:
    """The WARNING and note lines that close a table."""
    return [*(f"WARNING: {warning}" for warning in warnings), *(f"note: {note}" for note in notes)]


def new_parser(doc: str | None) -> argparse.ArgumentParser:
    """A parser described by the first line of the script's docstring."""
    return argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)


def add_output_args(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark shares: --keep and --json."""
    parser.add_argument("--keep", action="store_true", help="keep the run directory (logs, data) in bench/.work")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")


def new_run_dir(prefix: str) -> Path:
    """A fresh directory for one run's logs and data under bench/.work."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix=prefix, dir=WORK_DIR))
    say(f"run directory {relative(run_dir)}")
    return run_dir


def close_run_dir(run_dir: Path, keep: bool) -> None:
    """Keep the run directory (and say where) or remove it."""
    if keep:
        say(f"logs and data kept in {relative(run_dir)}")
    else:
        shutil.rmtree(run_dir, ignore_errors=True)


def emit(as_json: bool, to_json: Callable[[], dict[str, Any]], render: Callable[[], str]) -> None:
    """Print the figures on stdout: JSON with --json, else the table."""
    print(json.dumps(to_json(), indent=2) if as_json else render())
