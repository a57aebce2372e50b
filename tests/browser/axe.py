"""axe-core for the browser suite: installed by the test with npm into the git-ignored `tests/browser/.node/axe`
and injected by Playwright into pages opened with `bypass_csp` (our CSP rightly forbids injected script).

`serious_violations(page)` runs axe on the page as it is and returns the serious and critical violations,
each as "rule id: help (selectors)".
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .msal_node import INSTALL_TIMEOUT, NODE_DIR, NodeUnavailableError

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE_MAJOR = 4
AXE_DIR = NODE_DIR / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SEVERE = frozenset({"serious", "critical"})


def _installed_major() -> int | None:
    manifest = AXE_DIR / "node_modules" / "axe-core" / "package.json"
    if not manifest.exists():
        return None
    return int(str(json.loads(manifest.read_text(encoding="utf-8")).get("version", "0")).split(".", 1)[0])


def ensure_axe() -> Path:
    """The path of `axe.min.js` (axe-core@AXE_MAJOR), installed with npm when absent."""
    npm = shutil.which("npm")
    if npm is None:
        raise NodeUnavailableError("npm is not installed (the accessibility checks need axe-core)")
    if _installed_major() == AXE_MAJOR:
        return AXE_SCRIPT
    command = [npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "--loglevel=error"]
    try:
        done = subprocess.run(
            [*command, f"axe-core@{AXE_MAJOR}"], capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise NodeUnavailableError(f"npm install of axe-core took over {INSTALL_TIMEOUT:.0f} s") from exc
    if done.returncode != 0 or _installed_major() != AXE_MAJOR:
        raise NodeUnavailableError(f"npm install of axe-core@{AXE_MAJOR} failed:\n{done.stderr[-2000:]}")
    return AXE_SCRIPT


def serious_violations(page: Page, script: Path) -> list[str]:
    """axe's serious and critical violations on the page, WCAG 2.1 AA rules and best practices."""
    page.add_script_tag(path=str(script))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    found = []
    for violation in result["violations"]:
        if violation.get("impact") in SEVERE:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            found.append(f"{violation['id']}: {violation['help']} ({targets})")
    return found
