"""axe-core for the browser suite: installed by the test with npm into the git-ignored `tests/browser/.node/axe`
and injected by Playwright into pages opened with `bypass_csp` (our CSP rightly forbids injected script).

`serious_violations(page)` runs axe on the page as it is and returns the serious and critical violations,
each as "rule id: help (selectors)".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from support.npm import ensure_package

from .msal_node import INSTALL_TIMEOUT, NODE_DIR

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE_MAJOR = 4
AXE_DIR = NODE_DIR / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SEVERE = frozenset({"serious", "critical"})


def ensure_axe() -> Path:
    """The path of `axe.min.js` (axe-core@AXE_MAJOR), installed with npm when absent (read by the browser,
    so Node.js itself is not needed)."""
    ensure_package(AXE_DIR, "axe-core", AXE_MAJOR, INSTALL_TIMEOUT, needs_node=False)
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
