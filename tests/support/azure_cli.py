"""The real Azure CLI (`az`, from PyPI's azure-cli) for the tests that drive it: found, or skipped with the
reason, unless `TENANTRY_REQUIRE_AZ=1` (CI), which turns a missing az into a failure.

Where az is looked for, first found wins: `TENANTRY_AZ` (the executable), the venv `make az` installs
(`~/.cache/tenantry-az/bin/az`, or `$TENANTRY_AZ_VENV/bin/az`), then `az` on the PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REQUIRE_ENV = "TENANTRY_REQUIRE_AZ"
DEFAULT_VENV = Path.home() / ".cache" / "tenantry-az"
COMMAND_TIMEOUT = 120.0


def find_az() -> Path | None:
    """The az executable to use, or None."""
    explicit = os.environ.get("TENANTRY_AZ")
    venv = Path(os.environ.get("TENANTRY_AZ_VENV") or DEFAULT_VENV)
    for candidate in (explicit, str(venv / "bin" / "az"), shutil.which("az")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def require_az() -> Path:
    """az, else skip (or fail under TENANTRY_REQUIRE_AZ=1) naming what is missing and how to get it."""
    found = find_az()
    if found is None:
        reason = "the Azure CLI is not installed (`make az` installs it into ~/.cache/tenantry-az)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return found


@dataclass
class AzRunner:
    """Runs az with its own config directory, trusting `ca_bundle`; remembers every call for the report."""

    az: Path
    config_dir: Path
    ca_bundle: Path
    calls: list[str] = field(default_factory=list)

    def environment(self) -> dict[str, str]:
        """The test's environment without proxies or the developer's az settings, plus ours."""
        skipped = {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"}
        env = {k: v for k, v in os.environ.items() if k not in skipped and not k.startswith(("AZURE_", "TENANTRY_"))}
        env.update(
            AZURE_CONFIG_DIR=str(self.config_dir),
            REQUESTS_CA_BUNDLE=str(self.ca_bundle),
            AZURE_CORE_COLLECT_TELEMETRY="false",
            AZURE_CORE_NO_COLOR="true",
            AZURE_CORE_SURVEY_MESSAGE="false",
            NO_PROXY="localhost,127.0.0.1",
        )
        return env

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `az ARGS`; fail the test with az's output unless it exits 0."""
        self.calls.append(" ".join(args[:3]))
        result = subprocess.run(
            [str(self.az), *args],
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, f"az {' '.join(args[:4])} … exited {result.returncode}:\n{result.stderr}"
        return result
