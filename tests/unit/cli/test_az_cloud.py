"""`tenantry az-cloud`: the commands name the running server of the data directory, never a default port."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantry.cli.main import cli
from tenantry.cli.server_record import ServerRecord, write_record


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory of our own, and no TENANTRY_* setting of the developer's."""
    for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TENANTRY_HOME", str(tmp_path))
    return tmp_path


def test_without_a_running_server_it_refuses(home: Path) -> None:
    """No record (or a stopped server's): exit 1 with what to do, not commands for localhost:8443."""
    result = CliRunner().invoke(cli, ["az-cloud"])
    assert result.exit_code == 1
    assert "no server is running" in result.output and "8443" not in result.output


def test_the_recorded_url_of_the_running_server(home: Path) -> None:
    """The public URL `serve` recorded (this process stands in for it), ARM on the other loopback name."""
    write_record(home, ServerRecord("https://localhost:19443", os.getpid(), (19443,)))
    plain = CliRunner().invoke(cli, ["az-cloud"])
    assert plain.exit_code == 0, plain.output
    assert plain.output.splitlines()[0] == (
        "az cloud register --name Tenantry --endpoint-resource-manager https://127.0.0.1:19443/arm"
    )
    printed = json.loads(CliRunner().invoke(cli, ["az-cloud", "--json"]).output)
    assert (printed["publicUrl"], printed["armUrl"]) == ("https://localhost:19443", "https://127.0.0.1:19443/arm")
    assert printed["commands"][-1] == ["az", "config", "set", "core.instance_discovery=false"]


def test_a_configured_arm_url(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TENANTRY_PUBLIC_URL and TENANTRY_ARM_URL for a server behind real host names."""
    monkeypatch.setenv("TENANTRY_PUBLIC_URL", "https://login.example.com")
    monkeypatch.setenv("TENANTRY_ARM_URL", "https://arm.example.com/arm")
    result = CliRunner().invoke(cli, ["az-cloud"])
    assert "--endpoint-resource-manager https://arm.example.com/arm" in result.output
