"""The machine: CPU model and cores, CPU time used during a run, process memory, timed worker threads."""

from __future__ import annotations

import os
import platform
import resource
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUSY_MACHINE_CORES = 0.25  # other work above this many cores on average makes a run's figures doubtful


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo."""
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask), which is what the servers get too."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def machine_info() -> dict[str, Any]:
    """CPU model, core counts, and the versions of the moving parts."""
    import cryptography

    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count() or 1,
        "usable_cores": usable_cores(),
        "python": platform.python_version(),
        "cryptography": cryptography.__version__,
        "kernel": platform.release(),
        "loadavg": round(os.getloadavg()[0], 2),
    }


def rss_of(pid: int) -> tuple[int | None, int | None]:
    """(VmRSS, VmHWM) of a process in bytes, from /proc/<pid>/status."""
    values: dict[str, int] = {}
    with suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) * 1024
    return values.get("VmRSS"), values.get("VmHWM")


@dataclass
class CpuUse:
    """CPU seconds used during one run: by the server, by the load generator (wrk or our client threads),
    and by everything else on the machine."""

    server_s: float
    client_s: float
    other_s: float
    wall_s: float

    @property
    def other_cores(self) -> float:
        """Average number of cores that other work took from this run: anything above ~0.2 disturbs it."""
        return self.other_s / self.wall_s if self.wall_s else 0.0


@dataclass(frozen=True)
class CpuSample:
    """Cumulative CPU seconds at one instant: the machine (busy), the server, this process, its children."""

    at: float
    machine_busy_s: float
    server_s: float
    own_s: float
    children_s: float

    @classmethod
    def read(cls, pid: int) -> CpuSample:
        """Sample /proc/stat, /proc/<pid>/stat and this process's own and reaped children's rusage."""
        tick = os.sysconf("SC_CLK_TCK")
        busy = 0.0
        with suppress(OSError, ValueError, IndexError):
            values = [int(v) for v in Path("/proc/stat").read_text(encoding="utf-8").split("\n", 1)[0].split()[1:9]]
            busy = (sum(values) - values[3] - values[4]) / tick  # all but idle and iowait
        server = 0.0
        with suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
            server = (int(fields[11]) + int(fields[12])) / tick  # utime + stime, every thread
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return cls(time.monotonic(), busy, server, own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime)

    def until(self, later: CpuSample, count_self: bool = True) -> CpuUse:
        """What was used between this sample and `later`; the load generator is our children (wrk), plus this
        process itself when `count_self` (client threads)."""
        server = later.server_s - self.server_s
        client = later.children_s - self.children_s
        if count_self:
            client += later.own_s - self.own_s
        other = max(0.0, later.machine_busy_s - self.machine_busy_s - server - client)
        return CpuUse(server, client, other, later.at - self.at)


def in_threads(count: int, seconds: float, work: Callable[[int, float], None], daemon: bool = False) -> float:
    """Run `work(index, deadline)` in `count` threads released together, the deadline `seconds` away (on
    `time.perf_counter`); returns the wall seconds from the release until every thread finished."""
    barrier = threading.Barrier(count + 1)
    deadline = [0.0]

    def run(index: int) -> None:
        barrier.wait()
        work(index, deadline[0])

    workers = [threading.Thread(target=run, args=(i,), daemon=daemon) for i in range(count)]
    for worker in workers:
        worker.start()
    start = time.perf_counter()
    deadline[0] = start + seconds
    barrier.wait()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start
