"""@azure/identity for Node.js, installed by the test itself with npm into the git-ignored
`tests/compat/.node/`, and `node/default_credential.mjs` run as a child process configured only by its
environment. TENANTRY_REQUIRE_NODE=1 turns a missing Node.js or npm package into a failure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from support.npm import ensure_package

AZURE_IDENTITY_MAJOR = 4
NODE_DIR = Path(__file__).parent / ".node"
SCRIPT = Path(__file__).parent / "node" / "default_credential.mjs"
INSTALL_TIMEOUT = 300.0
RUN_TIMEOUT = 120.0


def ensure_azure_identity() -> Path:
    """`tests/compat/.node` holding @azure/identity@AZURE_IDENTITY_MAJOR, installed with npm when absent."""
    return ensure_package(NODE_DIR, "@azure/identity", AZURE_IDENTITY_MAJOR, INSTALL_TIMEOUT)


def node_default_credential(module_dir: Path, env: dict[str, str], *scopes: str) -> dict[str, Any]:
    """Run the script once: `{"tokens": [...]}` or `{"error": "..."}`."""
    done = subprocess.run(
        [shutil.which("node") or "node", str(SCRIPT), *scopes],
        env={**env, "AZURE_IDENTITY_DIR": str(module_dir)},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"default_credential.mjs printed nothing (exit {done.returncode}):\n{done.stderr[-2000:]}"
    answer: dict[str, Any] = json.loads(lines[-1])
    if "error" in answer:
        answer["stderr"] = done.stderr[-4000:]
    return answer
