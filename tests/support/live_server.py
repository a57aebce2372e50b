"""Run the real `tenantry serve` in a subprocess, and watch its output for leaked secrets (style P3)."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(home: Path) -> dict[str, str]:
    """The test process's environment without any `TENANTRY_*` setting of the developer's, plus our home."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TENANTRY_")}
    env.update(TENANTRY_HOME=str(home), PYTHONUNBUFFERED="1")
    return env


@dataclass
class LogGuard:
    """Values that must never appear in the server's output: client secrets, tokens, assertions."""

    _watched: dict[str, str] = field(default_factory=dict)

    def watch(self, label: str, value: str) -> None:
        """Remember `value`; `label` names it in a failure report without repeating the value."""
        if value:
            self._watched.setdefault(value, label)

    def __len__(self) -> int:
        return len(self._watched)

    def labels(self) -> set[str]:
        """The labels of everything watched, to check that a scan covered what it should."""
        return set(self._watched.values())

    def leaks(self, text: str) -> list[str]:
        """Labels of every watched value found in `text`."""
        return sorted({label for value, label in self._watched.items() if value in text})


class LiveServer:
    """One `python -m tenantry serve` process with its own data directory and captured output."""

    def __init__(
        self,
        home: Path,
        port: int,
        *,
        extra_args: tuple[str, ...] = ("--access-log",),
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.home = home
        self.port = port
        self.guard = LogGuard()
        self._args = extra_args
        self._settings = dict(settings or {})  # `TENANTRY_*` variables of this server's own
        self._log_path = home / "server-output.log"
        self._log: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The authority host the clients use; `localhost` is in the development certificate's SAN."""
        return f"https://localhost:{self.port}"

    @property
    def ca_path(self) -> Path:
        """The development CA the server generated on its first start."""
        return self.home / "tls" / "ca.pem"

    def start(self) -> None:
        """Start the server and block until it completes a TLS handshake; fail with its output if it exits."""
        self._log = self._log_path.open("wb")
        command = [sys.executable, "-m", "tenantry", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self._process = subprocess.Popen(
            [*command, *self._args],
            cwd=self.home,
            env={**server_environment(self.home), **self._settings},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"tenantry serve exited with {self._process.returncode}:\n{self.output()}")
            if self._handshake():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"tenantry serve did not accept TLS within {READY_TIMEOUT} s:\n{self.output()}")

    def _handshake(self) -> bool:
        if not self.ca_path.exists():
            return False
        try:
            context = ssl.create_default_context(cafile=str(self.ca_path))
            with (
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as raw,
                context.wrap_socket(raw, server_hostname="localhost"),
            ):
                return True
        except (OSError, ssl.SSLError):
            return False

    def terminate(self, timeout: float = STOP_TIMEOUT) -> float | None:
        """Send SIGTERM (uvicorn's graceful shutdown); the seconds it took to exit, or None if still running."""
        assert self._process is not None, "the server was never started"
        started = time.monotonic()
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return None
        return time.monotonic() - started

    def stop(self) -> None:
        """Terminate, then kill if it lingers; idempotent."""
        if self._process is not None and self._process.poll() is None and self.terminate() is None:
            self._process.kill()
            self._process.wait(timeout=STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            self._log = None

    def output(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        if not self._log_path.exists():
            return ""
        return self._log_path.read_text(encoding="utf-8", errors="replace")
