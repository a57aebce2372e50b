"""@azure/identity for Node.js, installed by the test itself with npm into the git-ignored
`tests/compat/.node/`, and `node/default_credential.mjs` run as a child process configured only by its
environment. TENANTRY_REQUIRE_NODE=1 turns a missing Node.js or npm package into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

AZURE_IDENTITY_MAJOR = 4
NODE_DIR = Path(__file__).parent / ".node"
SCRIPT = Path(__file__).parent / "node" / "default_credential.mjs"
REQUIRE_ENV = "TENANTRY_REQUIRE_NODE"
INSTALL_TIMEOUT = 300.0
RUN_TIMEOUT = 120.0


class NodeUnavailableError(Exception):
    """Node.js, npm or @azure/identity cannot be had here; the message says why."""


def node_required() -> bool:
    """Whether a missing Node.js or package fails the run instead of skipping it."""
    return os.environ.get(REQUIRE_ENV) == "1"


def _installed_major() -> int | None:
    manifest = NODE_DIR / "node_modules" / "@azure" / "identity" / "package.json"
    if not manifest.exists():
        return None
    version = str(json.loads(manifest.read_text(encoding="utf-8")).get("version", "0"))
    return int(version.split(".", 1)[0])


def ensure_azure_identity() -> Path:
    """`tests/compat/.node` holding @azure/identity@AZURE_IDENTITY_MAJOR, installed with npm when absent."""
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        raise NodeUnavailableError("node and npm are not installed (the @azure/identity test needs them)")
    if _installed_major() == AZURE_IDENTITY_MAJOR:
        return NODE_DIR
    command = [npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", "--loglevel=error"]
    try:
        done = subprocess.run(
            [*command, f"@azure/identity@{AZURE_IDENTITY_MAJOR}"],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise NodeUnavailableError(f"npm install of @azure/identity took over {INSTALL_TIMEOUT:.0f} s") from exc
    if done.returncode != 0 or _installed_major() != AZURE_IDENTITY_MAJOR:
        raise NodeUnavailableError(f"npm install of @azure/identity failed:\n{done.stderr[-2000:]}")
    return NODE_DIR


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
