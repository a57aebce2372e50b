"""The server under load: a free port, a process with its log, readiness, a temporary Tenantry, one POST."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.report import relative, say

HOST = "127.0.0.1"
READY_TIMEOUT_S = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def tail(text: str, lines: int = 15) -> str:
    """The last lines of a log, indented."""
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def run_quiet(argv: list[str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


@contextmanager
def running(
    argv: list[str], env: Mapping[str, str], log: Path, cwd: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process with its output in `log`; stop it (TERM, then KILL) on the way out."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=dict(env), stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def wait_ready(proc: subprocess.Popen[bytes], log: Path, marker: str) -> None:
    """Block until `marker` shows in the log; raise with the log's tail if the process dies or stalls."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if marker in text:
            return
        if proc.poll() is not None:
            raise RuntimeError(f"exited with status {proc.returncode}:\n{tail(text)}")
        time.sleep(0.1)
    raise RuntimeError(f"not ready after {READY_TIMEOUT_S:.0f} s:\n{tail(log.read_text(errors='replace'))}")


def tenantry_home(run_dir: Path) -> Path:
    """A fresh TENANTRY_HOME in the run directory, with every other TENANTRY_* variable removed: the bench
    decides the configuration, whatever the caller's shell says."""
    home = run_dir / "tenantry-home"
    for name in list(os.environ):
        if name.startswith("TENANTRY_"):
            del os.environ[name]
    os.environ["TENANTRY_HOME"] = str(home)
    return home


def tenantry_version() -> str:
    """The installed Tenantry's version."""
    from importlib.metadata import version

    return version("tenantry")


@contextmanager
def tenantry_server(home: Path, run_dir: Path, label: str = "") -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`python -m tenantry serve` over HTTPS on a free port, logging to tenantry-server.log, until it is ready;
    yields (process, port) and stops it on the way out. `label` prefixes the progress message."""
    port = free_port()
    log = run_dir / "tenantry-server.log"
    argv = [sys.executable, "-m", "tenantry", "serve", "--host", HOST, "--port", str(port)]
    say(f"{label}starting {' '.join(argv[1:])} (TENANTRY_HOME={relative(home)})")
    with running(argv, os.environ, log) as proc:
        wait_ready(proc, log, "Uvicorn running on")
        yield proc, port


def post_form(port: int, path: str, body: str, cafile: Path) -> tuple[int, bytes]:
    """One form POST on a verified TLS connection to HOST; returns (status, body)."""
    conn = http.client.HTTPSConnection(HOST, port, context=ssl.create_default_context(cafile=str(cafile)), timeout=30)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        reply = conn.getresponse()
        data = reply.read()
    finally:
        conn.close()
    return reply.status, data


def jwt_part(token: str, index: int) -> dict[str, Any]:
    """The decoded header (0) or claims (1) of a compact JWS, unverified."""
    segment = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return decoded
