"""`tenantry dev-cert --hosts-file` and `tenantry serve --transparent`'s refusals, in-process (the server
itself runs in `tests/compat/test_transparent.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import cli_runner


def test_hosts_file_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the /etc/hosts lines, ready for `>> /etc/hosts`; no certificate is made for them."""
    with cli_runner(tmp_path / "home", monkeypatch) as run:
        result = run("dev-cert", "--hosts-file")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "127.0.0.1 login.microsoftonline.com",
        "127.0.0.1 graph.microsoft.com",
        "127.0.0.1 management.azure.com",
    ]
    assert not (tmp_path / "home" / "tls").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--public-url", "https://login.contoso.example"), "leave out --public-url"),
        (("--port", "8443"), "needs port 443"),
    ],
)
def test_transparent_refuses_another_url_or_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], message: str
) -> None:
    """Entra's URLs name no port and one host: anything else would publish issuers clients never see."""
    with cli_runner(tmp_path / "home", monkeypatch) as run:
        result = run("serve", "--transparent", *args)
    assert result.exit_code == 1
    assert message in result.output
