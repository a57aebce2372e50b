"""The log guard itself, and what the server logs when something unexpected breaks.

Style P3: secrets, codes and tokens never reach a log; an unexpected exception is logged for
operators with its trace id and answered with the catalogue's generic server error (AADSTS50000),
never with a stack trace or the exception's text.
"""

from __future__ import annotations

import logging

import pytest

from tenantry.app import Services, create_app

from .conftest import (
    BASE_URL,
    Sensitive,
    TestClient,
    TokenPoster,
    World,
    assert_entra_error,
    find_leaks,
    secret_form,
)


def test_guard_finds_secrets_and_jwts() -> None:
    """`find_leaks` reports a known secret and any JWT-shaped string, and nothing in clean text."""
    sensitive = Sensitive()
    sensitive.add("s3cr3t-value-0123456789")
    jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    assert find_leaks(f"client_secret=s3cr3t-value-0123456789 token={jwt_like}", sensitive) == [
        "s3cr3t-v…",
        "JWT eyJhbGciOiJSUzI1…",
    ]
    assert find_leaks("trace_id=5f1e… nothing to see", sensitive) == []


def test_guard_sees_the_token_flow(
    world: World, token: TokenPoster, sensitive: Sensitive, caplog: pytest.LogCaptureFixture
) -> None:
    """The guard is not vacuous: a token request's SQL is captured, and the secret and token are known."""
    response = token(world.token_path(), secret_form(world.confidential))
    assert response.status_code == 200
    assert any(record.name.startswith("sqlalchemy.engine") for record in caplog.records)
    assert world.confidential.secret in sensitive.values
    assert response.json()["access_token"] in sensitive.values


def test_unexpected_exception_is_a_generic_500(
    services: Services, world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A crash inside the token service answers AADSTS50000 without its text; the log has the trace id."""

    def crash(*args: object) -> None:
        raise RuntimeError("internal detail that must stay on the server")

    monkeypatch.setattr(services.token_service, "start", crash)
    with TestClient(
        create_app(services, public_url=BASE_URL), base_url=BASE_URL, raise_server_exceptions=False
    ) as http:
        response = http.post(world.token_path(), data=secret_form(world.confidential))
    body = assert_entra_error(response, 50000, 500, "server_error")
    assert "internal detail" not in response.text
    assert "Traceback" not in response.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("tenantry")]
    assert errors
    assert body["trace_id"] in errors[0].getMessage()
