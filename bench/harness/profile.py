"""py-spy: installing it, sampling a server during one extra run, and summarising and rendering the samples."""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from harness.report import say
from harness.server import run_quiet

T = TypeVar("T")


def ensure_py_spy() -> str | None:
    """py-spy from the venv, installed with pip when missing (only for --profile)."""
    candidate = Path(sys.executable).parent / "py-spy"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("py-spy")
    if found:
        return found
    say("py-spy is missing: pip install py-spy")
    run_quiet([sys.executable, "-m", "pip", "install", "--quiet", "py-spy"])
    return str(candidate) if candidate.exists() else None


def record(py_spy: str, pid: int, seconds: int, raw: Path, run: Callable[[], T]) -> tuple[T, str | None]:
    """Sample `pid` for `seconds` at 200 Hz into `raw` (collapsed stacks) while `run()` loads it; returns what
    `run` returned and, when py-spy failed, its stripped stderr (else None)."""
    argv = [py_spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "200", "--nonblocking"]
    spy = subprocess.Popen(
        [*argv, "--format", "raw", "--output", str(raw)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.5)
    under = run()
    _, spy_err = spy.communicate(timeout=seconds + 60)
    if spy.returncode != 0 or not raw.exists():
        return under, spy_err.strip()
    return under, None


def summarise_profile(raw: Path, top: int) -> dict[str, Any]:
    """Top frames by own (leaf) samples and by inclusive samples, from py-spy's collapsed-stack output."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [shorten_frame(f) for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count

    def rows(counter: collections.Counter[str]) -> list[dict[str, Any]]:
        return [
            {"frame": frame, "samples": n, "percent": round(100 * n / total, 1) if total else 0.0}
            for frame, n in counter.most_common(top)
        ]

    return {"samples": total, "own": rows(own), "inclusive": rows(inclusive)}


def shorten_frame(frame: str) -> str:
    """`func (/long/path/site-packages/pkg/mod.py:12)` → `func (pkg/mod.py:12)`."""
    match = re.match(r"^(.*) \((.*):(\d+)\)$", frame)
    if not match:
        return frame
    name, path, line = match.groups()
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path}:{line})"


def profile_lines(heading: str, profile: Mapping[str, Any], own_rows: int, inclusive_rows: int) -> list[str]:
    """A profile summary as table lines: the heading, the top own and inclusive frames, the raw file."""
    return [
        "",
        heading,
        "  own time (leaf frames):",
        *(f"  {row['percent']:>6.1f}%  {row['frame']}" for row in profile["own"][:own_rows]),
        "  inclusive time:",
        *(f"  {row['percent']:>6.1f}%  {row['frame']}" for row in profile["inclusive"][:inclusive_rows]),
        f"  collapsed stacks: {profile['raw_file']}",
    ]
