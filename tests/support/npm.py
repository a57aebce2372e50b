"""npm packages the tests install themselves (msal-node, @azure/identity, axe-core), each into a git-ignored
folder of the suite using it, once per major version. TENANTRY_REQUIRE_NODE=1 (CI) turns a missing Node.js,
npm or package into a failure instead of a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

REQUIRE_ENV = "TENANTRY_REQUIRE_NODE"


class NodeUnavailableError(Exception):
    """Node.js, npm or the npm package cannot be had here; the message says why."""


def node_required() -> bool:
    """Whether a missing Node.js or package fails the run (TENANTRY_REQUIRE_NODE=1) instead of skipping."""
    return os.environ.get(REQUIRE_ENV) == "1"


def installed_major(prefix: Path, package: str) -> int | None:
    """The major version of `package` installed under `prefix`, or None."""
    manifest = prefix / "node_modules" / package / "package.json"
    if not manifest.exists():
        return None
    version = str(json.loads(manifest.read_text(encoding="utf-8")).get("version", "0"))
    return int(version.split(".", 1)[0])


def ensure_package(prefix: Path, package: str, major: int, timeout: float, *, needs_node: bool = True) -> Path:
    """`prefix` holding `package@major`, installed with npm when absent or of another major version.
    `needs_node`: the package is run by Node.js (not only read, as axe-core is by the browser)."""
    npm = shutil.which("npm")
    if npm is None or (needs_node and shutil.which("node") is None):
        raise NodeUnavailableError(f"node and npm are not installed (the tests using {package} need them)")
    if installed_major(prefix, package) == major:
        return prefix
    command = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error"]
    try:
        done = subprocess.run(
            [*command, f"{package}@{major}"], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise NodeUnavailableError(f"npm install of {package} took over {timeout:.0f} s") from exc
    if done.returncode != 0 or installed_major(prefix, package) != major:
        raise NodeUnavailableError(f"npm install of {package}@{major} failed:\n{done.stderr[-2000:]}")
    return prefix
