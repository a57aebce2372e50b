"""`tenantry serve` (and so `make run`) on a taken port (issue 9 §10): one line naming the port and another
to use, a non-zero exit, no traceback; `make run PORT=N` passes the port on."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from support.live_server import server_environment

pytestmark = pytest.mark.compat

REPOSITORY = Path(__file__).resolve().parents[2]


def test_taken_port_is_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    """With another process listening on the port, serve (with --demo, as `make run` starts it) exits 1 and
    says only which port is taken and what to run instead."""
    with socket.create_server(("127.0.0.1", 0)) as other:
        port = int(other.getsockname()[1])
        result = subprocess.run(
            [sys.executable, "-m", "tenantry", "serve", "--demo", "--port", str(port)],
            env=server_environment(tmp_path / "home"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    found = re.fullmatch(rf"error: port {port} is in use; `make run PORT=(\d+)` or `tenantry serve --port N`", lines[0])
    assert found is not None, lines[0]
    assert int(found.group(1)) != port


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_passes_port() -> None:
    """`make run PORT=9443` serves the demo on 9443; plain `make run` keeps 8443."""

    def command(*args: str) -> str:
        dry = subprocess.run(
            ["make", "--no-print-directory", "-n", "run", *args],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return dry.stdout.strip().splitlines()[-1]

    assert command("PORT=9443").endswith("tenantry serve --demo --port 9443")
    assert command().endswith("tenantry serve --demo --port 8443")
