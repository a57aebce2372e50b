"""wrk: installing it, its version, and one run driven by a bench Lua script that prints a BENCH_RESULT line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from harness.machine import CpuSample, CpuUse
from harness.profile import ensure_py_spy
from harness.report import say
from harness.server import run_quiet, tail


class Shape(Protocol):
    """What a wrk run needs to know about its load."""

    @property
    def threads(self) -> int: ...

    @property
    def connections(self) -> int: ...

    @property
    def timeout_s(self) -> int: ...


@dataclass(frozen=True)
class WrkShape:
    """The wrk settings of one run."""

    threads: int
    connections: int
    timeout_s: int = 10


def as_root(argv: list[str]) -> list[str]:
    """Prefix `sudo -n` when not root and sudo exists."""
    if os.geteuid() != 0 and shutil.which("sudo"):
        return ["sudo", "-n", *argv]
    return argv


def ensure_wrk() -> str | None:
    """The path to wrk, installing Debian's package when it is missing; None if that fails."""
    found = shutil.which("wrk")
    if found:
        return found
    if not shutil.which("apt-get"):
        say("wrk is not installed and there is no apt-get to install it: install wrk by hand")
        return None
    env_prefix = ["env", "DEBIAN_FRONTEND=noninteractive"]
    say("wrk is missing: apt-get install -y wrk")
    result = run_quiet(as_root([*env_prefix, "apt-get", "install", "-y", "wrk"]))
    if result.returncode != 0:
        say("apt-get install failed; running apt-get update and trying again")
        run_quiet(as_root([*env_prefix, "apt-get", "update"]))
        result = run_quiet(as_root([*env_prefix, "apt-get", "install", "-y", "wrk"]))
    found = shutil.which("wrk")
    if not found:
        say(f"could not install wrk (apt-get said: {tail(result.stderr or result.stdout, 5).strip()})")
    return found


def wrk_version(wrk: str) -> str:
    """wrk's version line, e.g. `wrk 4.1.0`."""
    banner = run_quiet([wrk, "-v"]).stdout.strip().splitlines()
    return banner[0].split(" [")[0] if banner else "wrk"


def run_wrk(
    wrk: str, lua: Path, url: str, env: Mapping[str, str], shape: Shape, seconds: int, log: Path, pid: int
) -> tuple[dict[str, Any], CpuUse]:
    """One wrk run with `env` added to ours, its output appended to `log`; returns the Lua script's
    BENCH_RESULT figures (counts, microsecond latencies) and the CPU the server `pid` and wrk used."""
    argv = [
        wrk,
        f"-t{shape.threads}",
        f"-c{shape.connections}",
        f"-d{seconds}s",
        f"--timeout={shape.timeout_s}s",
        "--latency",
        "-s",
        str(lua),
        url,
    ]
    before = CpuSample.read(pid)
    result = subprocess.run(
        argv, env={**os.environ, **env}, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    cpu = before.until(CpuSample.read(pid), count_self=False)
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(argv)}\n{result.stdout}{result.stderr}\n")
    match = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_RESULT {")), None)
    if result.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed (status {result.returncode}):\n{tail(result.stdout + result.stderr)}")
    raw: dict[str, Any] = json.loads(match.removeprefix("BENCH_RESULT "))
    return raw, cpu


def latencies_ms(raw: Mapping[str, Any]) -> dict[str, float]:
    """The p50, p90, p99, max and mean latencies of a BENCH_RESULT, in milliseconds."""
    return {f"{name}_ms": raw[f"{name}_us"] / 1000 for name in ("p50", "p90", "p99", "max", "mean")}


def load_tools(machine: dict[str, Any], notes: list[str], profile: bool) -> tuple[str | None, str | None]:
    """(wrk, py-spy): wrk installed when missing (its version recorded in `machine`), py-spy only when
    `profile` (a note when it cannot be had); (None, None) without wrk."""
    wrk = ensure_wrk()
    if wrk is None:
        return None, None
    machine["wrk"] = wrk_version(wrk)
    py_spy = ensure_py_spy() if profile else None
    if profile and py_spy is None:
        notes.append("py-spy could not be installed: no profile")
    return wrk, py_spy
