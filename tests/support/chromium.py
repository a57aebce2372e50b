"""Debian's Chromium, driven by Playwright, trusting the test server's development CA.

Playwright never downloads a browser here: it launches `/usr/bin/chromium` (Debian's package, which
`.ci/run` installs) through `executable_path`.

TLS trust: Chromium on Linux verifies server certificates with its own verifier, which also trusts the
CA certificates of the user's NSS database at `$HOME/.pki/nssdb`. `trusting_home` makes a throw-away
HOME whose NSS database holds the server's CA as a trusted TLS issuer (`certutil -A -t "C,,"`, Debian's
`libnss3-tools`), and the browser is launched with that HOME. Certificate checking stays fully on
(chain, host name against the SAN, validity): nothing like `--ignore-certificate-errors` is passed, so a
test would fail on a certificate the server should not present.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

# Debian's package; TENANTRY_CHROMIUM names another Chromium binary (e.g. on a developer's other distribution).
CHROMIUM_PATH = Path(os.environ.get("TENANTRY_CHROMIUM", "/usr/bin/chromium"))
# No first-run UI, no GPU, no QUIC, and no background traffic: this machine reaches no outside host,
# and Chromium's background connections would only fail (or be flagged) there.
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CA_NICKNAME = "tenantry-dev-ca"
REQUIRE_ENV = "TENANTRY_REQUIRE_BROWSER"


def missing_requirement() -> str | None:
    """Why browser tests cannot run on this machine, or None when Chromium, certutil and Playwright are there."""
    if not CHROMIUM_PATH.exists():
        return f"Chromium is not installed at {CHROMIUM_PATH} (apt-get install chromium; .ci/run does it)"
    if shutil.which("certutil") is None:
        return "certutil is missing, so Chromium cannot be told to trust the test CA (apt-get install libnss3-tools)"
    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright is not installed (pip install -e '.[dev]')"
    return None


def browser_required() -> bool:
    """Whether a missing browser fails the run (CI sets TENANTRY_REQUIRE_BROWSER=1) instead of skipping."""
    return os.environ.get(REQUIRE_ENV) == "1"


def trusting_home(home: Path, ca_path: Path) -> Path:
    """Make `home` a HOME whose NSS database trusts `ca_path` for TLS server certificates; returns `home`."""
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True, exist_ok=True)
    database = f"sql:{nssdb}"
    certutil = shutil.which("certutil") or "certutil"
    subprocess.run([certutil, "-d", database, "-N", "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        [certutil, "-d", database, "-A", "-t", "C,,", "-n", CA_NICKNAME, "-i", str(ca_path)],
        check=True,
        capture_output=True,
    )
    return home


def browser_environment(home: Path) -> dict[str, str | float | bool]:
    """The test process's environment with HOME pointing at the trusting home and no proxy for localhost."""
    proxies = {"http_proxy", "https_proxy", "all_proxy"}
    env: dict[str, str | float | bool] = {k: v for k, v in os.environ.items() if k.lower() not in proxies}
    env.update(HOME=str(home), NO_PROXY="localhost,127.0.0.1", no_proxy="localhost,127.0.0.1")
    return env


def launch(playwright: Playwright, home: Path) -> Browser:
    """Headless Debian Chromium with the flags above, reading its NSS database from `home`."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM_PATH),
        args=list(LAUNCH_ARGS),
        env=browser_environment(home),
        headless=True,
    )
