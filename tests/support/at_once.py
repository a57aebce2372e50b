"""Start several `tenantry` commands so that they really run at the same moment.

Importing the CLI takes over a second of CPU, so processes launched together would otherwise reach their
first database or file access one after another. Each process here imports first, says it is ready, and
waits for one "go" file: the commands then race for real, as the ones an operator's script starts do.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from support.live_server import server_environment

READY_TIMEOUT = 90.0

# argv: ready directory, go file, a file to print after a successful command (or "-"), the command.
# A launcher whose test died before `go` gives up after a while instead of waiting forever.
_LAUNCHER = """
import os, sys, time
from tenantry.cli.main import main
ready, go, after = sys.argv[1:4]
open(os.path.join(ready, str(os.getpid())), "w").close()
deadline = time.monotonic() + 300
while not os.path.exists(go):
    if time.monotonic() > deadline:
        sys.exit("never released")
    time.sleep(0.005)
sys.argv = ["tenantry", *sys.argv[4:]]
try:
    main()
except SystemExit as exit:
    if exit.code not in (0, None) or after == "-":
        raise
print(open(after).read(), end="")
"""


@dataclass(frozen=True)
class Finished:
    """What one command left behind."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        """One block for a failure report."""
        return f"$ tenantry {' '.join(self.args)}\nexit {self.returncode}\n{self.stdout}{self.stderr}"


@dataclass
class AtOnce:
    """A batch of commands on one data directory, released together by `go`."""

    home: Path
    workdir: Path
    _processes: list[tuple[tuple[str, ...], subprocess.Popen[str]]] = field(default_factory=list)
    _background: list[subprocess.Popen[str]] = field(default_factory=list)

    def _launch(self, args: tuple[str, ...], output: int | IO[str], after: Path | None) -> subprocess.Popen[str]:
        ready, go = self.workdir / "ready", self.workdir / "go"
        ready.mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(ready), str(go), str(after or "-"), *args],
            env=server_environment(self.home),
            cwd=self.workdir,
            stdout=output,
            stderr=subprocess.PIPE if output == subprocess.PIPE else subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )

    def add(self, *args: str, then_print: Path | None = None) -> None:
        """Launch `tenantry *args`; it imports, then waits for `go`. With `then_print`, a successful command
        then prints that file, as it found it right after finishing."""
        self._processes.append((args, self._launch(args, subprocess.PIPE, then_print)))

    def add_background(self, log: IO[str], *args: str) -> subprocess.Popen[str]:
        """Launch a command that keeps running (`serve`), writing to `log`; the caller stops it."""
        process = self._launch(args, log, None)
        self._background.append(process)
        return process

    def go(self) -> None:
        """Wait until every command is ready, then release them all."""
        ready, deadline = self.workdir / "ready", time.monotonic() + READY_TIMEOUT
        everyone = [*self._processes, *((("background",), p) for p in self._background)]
        while len(list(ready.iterdir())) < len(everyone):
            exited = [a for a, p in everyone if p.poll() is not None]
            assert not exited, f"exited before the start: {exited}"
            assert time.monotonic() < deadline, "the commands did not get ready in time"
            time.sleep(0.01)
        (self.workdir / "go").touch()

    def wait(self, timeout: float = 120.0) -> list[Finished]:
        """Every command's result, in the order they were added."""
        finished = []
        for args, process in self._processes:
            stdout, stderr = process.communicate(timeout=timeout)
            finished.append(Finished(args, process.returncode, stdout, stderr))
        return finished

    def run(self, timeout: float = 120.0) -> list[Finished]:
        """`go`, then `wait`; if either fails, no command is left behind."""
        try:
            self.go()
            return self.wait(timeout)
        except BaseException:
            self.kill()
            raise

    def kill(self) -> None:
        """Stop every command still running (the background ones too)."""
        for process in [p for _, p in self._processes] + self._background:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
