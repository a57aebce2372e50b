"""The lifecycle settings are validated at start-up (style P10): a bad value stops the server with a clear
message instead of failing at the first warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tenantry.config import Settings


def test_defaults(tmp_path: Path) -> None:
    """Horizons 30, 7 and 1 days; a scan an hour; outbox every 5 s; STARTTLS on port 587; no channel."""
    settings = Settings(home=tmp_path)
    assert settings.expiry_horizon_days == (30, 7, 1)
    assert (settings.expiry_scan_seconds, settings.outbox_poll_seconds) == (3600, 5)
    assert (settings.smtp_port, settings.smtp_starttls) == (587, True)
    assert settings.webhook_url is None
    assert settings.smtp_host is None


def test_horizons_are_normalised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the environment, in any order, with spaces and duplicates: distinct days, widest first."""
    monkeypatch.setenv("TENANTRY_EXPIRY_HORIZONS", "1, 14,14 ,60")
    assert Settings(home=tmp_path).expiry_horizon_days == (60, 14, 1)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"expiry_horizons": "30,0"}, "positive whole number of days"),
        ({"expiry_horizons": "soon"}, "positive whole number of days"),
        ({"expiry_horizons": ","}, "at least one number of days"),
        ({"webhook_url": "ftp://hooks.example"}, "http:// or https://"),
        ({"webhook_url": "https://hooks.example/tenantry"}, "webhook_secret of at least 16 characters"),
        ({"webhook_url": "https://hooks.example/t", "webhook_secret": "short"}, "at least 16 characters"),
        ({"smtp_host": "mail.example"}, "smtp_from"),
        ({"outbox_poll_seconds": 0}, "greater than or equal to 1"),
    ],
)
def test_bad_values_fail_at_start_up(tmp_path: Path, values: dict[str, object], message: str) -> None:
    """Each inconsistent setting names what is wrong."""
    with pytest.raises(ValidationError, match=message):
        Settings(home=tmp_path, **values)  # type: ignore[arg-type]


def test_secrets_by_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`file:` and `env:` references resolve for the webhook secret and the SMTP password."""
    secret_file = tmp_path / "hook"
    secret_file.write_text("0123456789abcdef-from-file\n")
    monkeypatch.setenv("SMTP_PW", "from-the-env")
    settings = Settings(
        home=tmp_path,
        webhook_url="https://hooks.example/t",
        webhook_secret=f"file:{secret_file}",  # type: ignore[arg-type]
        smtp_password="env:SMTP_PW",  # type: ignore[arg-type]
    )
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == "0123456789abcdef-from-file"
    assert settings.smtp_password is not None
    assert settings.smtp_password.get_secret_value() == "from-the-env"
    assert "from-the-env" not in repr(settings)
