"""Operator logs of the token endpoint and the HTTP layer (issue 10 §3, style P3): a refused request logs
one INFO record on `tenantry.refusals` that carries the answer's trace id, the tenant and client the request
named, the AADSTS code and why; a successful request logs none, and no record holds a secret (the suite's
log guard scans every record's fields too)."""

from __future__ import annotations

import base64
import logging

import pytest

from tenantry.app import Services, create_app

from .conftest import BASE_URL, Client, TestClient, TokenPoster, World, assert_entra_error, secret_form


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The refusal records logged so far in this test."""
    return [r for r in caplog.records if r.name == "tenantry.refusals"]


def the_refusal(caplog: pytest.LogCaptureFixture, trace_id: str) -> logging.LogRecord:
    """The one refusal record of the request answered with `trace_id`, at INFO."""
    found = [r for r in refusals(caplog) if getattr(r, "trace_id", None) == trace_id]
    assert len(found) == 1, [r.__dict__ for r in refusals(caplog)]
    assert found[0].levelno == logging.INFO
    return found[0]


def key_ids(services: Services, client: Client) -> list[str]:
    """The key ids of a client's secrets."""
    secrets, _ = services.credentials.list_credentials(client.app)
    return [secret.key_id for secret in secrets]


def test_wrong_secret_logs_code_client_tenant_and_the_keys_tried(
    token: TokenPoster, world: World, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """7000215: the record names the client, the tenant as the path named it and which secrets (by key id)
    the presented one was compared with; the wrong value itself is nowhere."""
    wrong = "Wr0ng-secret-value-that-must-not-be-logged"
    response = token(world.token_path(), {**secret_form(world.confidential), "client_secret": wrong})
    body = assert_entra_error(response, 7000215, 401, "invalid_client")
    record = the_refusal(caplog, body["trace_id"])
    assert record.getMessage() == "refused: AADSTS7000215"
    fields = record.__dict__
    assert (fields["client_id"], fields["tenant"], fields["correlation_id"]) == (
        world.confidential.client_id,
        world.tenant.id,
        body["correlation_id"],
    )
    assert (fields["code"], fields["error"], fields["status"], fields["answer"]) == (
        7000215,
        "invalid_client",
        401,
        "json",
    )
    assert fields["reason"].startswith("the secret matches none of the app's")
    assert all(key_id in fields["reason"] for key_id in key_ids(services, world.confidential))
    assert wrong not in caplog.text and all(wrong not in str(value) for value in fields.values())


def test_basic_credentials_name_the_client_and_an_expired_secret_says_when(
    token: TokenPoster, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """`client_secret_basic`: the client id comes from the header; 7000222 says which key expired when."""
    assert world.expired_only.secret is not None
    basic = base64.b64encode(f"{world.expired_only.client_id}:{world.expired_only.secret}".encode()).decode()
    form = {"grant_type": "client_credentials", "scope": "api://contoso/orders/.default"}
    response = token(world.token_path(), form, headers={"Authorization": f"Basic {basic}"})
    body = assert_entra_error(response, 7000222, 401, "invalid_client")
    record = the_refusal(caplog, body["trace_id"])
    assert record.client_id == world.expired_only.client_id  # type: ignore[attr-defined]
    assert " expired at " in record.reason  # type: ignore[attr-defined]


def test_unknown_tenant_logs_the_segment_and_why(
    token: TokenPoster, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """90002 names the tenant as requested; the reason says what kind of name found nothing."""
    response = token(world.token_path("nowhere.example"), secret_form(world.confidential))
    body = assert_entra_error(response, 90002, 400, "invalid_tenant")
    record = the_refusal(caplog, body["trace_id"])
    assert (record.tenant, record.reason) == ("nowhere.example", "no tenant has verified this domain")  # type: ignore[attr-defined]


def test_a_successful_request_logs_no_refusal(
    token: TokenPoster, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing is logged on the way of a token that is issued."""
    assert token(world.token_path(), secret_form(world.confidential)).status_code == 200
    assert refusals(caplog) == []


def test_unknown_path_logs_a_404_without_the_path(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    """A JSON 404 logs its trace id; the path (it may hold anything) stays in the access log only."""
    response = client.get("/nothing/here/s3cret-looking-segment")
    assert response.status_code == 404
    record = the_refusal(caplog, response.json()["trace_id"])
    assert (record.error, record.status, record.reason) == ("not_found", 404, "no endpoint at this path")  # type: ignore[attr-defined]
    assert "s3cret-looking-segment" not in str(record.__dict__)


def test_unexpected_exception_refusal_points_at_the_error_record(
    services: Services, world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A crash: the ERROR record with the traceback and the 50000 refusal share the trace id."""

    def crash(*args: object) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(services.token_service, "start", crash)
    with TestClient(
        create_app(services, public_url=BASE_URL), base_url=BASE_URL, raise_server_exceptions=False
    ) as http:
        response = http.post(world.token_path(), data=secret_form(world.confidential))
    body = assert_entra_error(response, 50000, 500, "server_error")
    record = the_refusal(caplog, body["trace_id"])
    assert record.reason == "unhandled RuntimeError: see the error logged with this trace id"  # type: ignore[attr-defined]
    errors = [
        r for r in caplog.records if r.levelno == logging.ERROR and getattr(r, "trace_id", None) == body["trace_id"]
    ]
    assert len(errors) == 1 and errors[0].exc_info is not None
