"""The operator's record of a refusal (errors/refusals.py, called by every builder in errors/render.py):
one record per refused request with the ids, the parties the request named and the internal reason, and
nothing of the request's values that the client could have typed a secret into."""

from __future__ import annotations

import logging

import pytest

from tenantry.common.context import RequestContext, RequestParties
from tenantry.errors import Aadsts, AadstsError
from tenantry.errors.refusals import operator_reason
from tenantry.errors.render import bearer_error, not_found, page_fields, redirect_fields, render_json

CLIENT_ID = "3f6a1c2e-0000-4000-8000-00000000c11e"
TYPED = "Pa55word-typed-as-user-name"


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The records of `tenantry.refusals` so far."""
    return [r for r in caplog.records if r.name == "tenantry.refusals"]


def test_parties_keep_what_an_earlier_note_said() -> None:
    """A later note adds to an earlier one; None never erases."""
    parties = RequestParties()
    parties.note(tenant="contoso.example", client_id=CLIENT_ID)
    parties.note(tenant_id="t-1", client_id=None)
    assert (parties.tenant, parties.tenant_id, parties.client_id, parties.principal) == (
        "contoso.example",
        "t-1",
        CLIENT_ID,
        None,
    )
    assert RequestContext().parties is not RequestContext().parties


def test_reason_is_debug_when_set() -> None:
    """The raise site's `debug` is the reason."""
    err = AadstsError.of(Aadsts.InvalidClientSecretProvided, client_id=CLIENT_ID, debug="matches none of key k-1")
    assert operator_reason(err) == "matches none of key k-1"


def test_reason_without_debug_names_placeholders_instead_of_request_values() -> None:
    """Without `debug`, the catalogue text with placeholders named, never filled, and our hint."""
    err = AadstsError.of(Aadsts.UserAccountNotFound, user=TYPED, tenant="contoso.example")
    reason = operator_reason(err.with_hint("Check the spelling."))
    assert TYPED not in reason and "contoso.example" not in reason
    assert "‹user›" in reason and reason.endswith("Check the spelling.")


@pytest.mark.parametrize("answer", ["json", "redirect", "page"])
def test_each_answer_logs_one_info_record(caplog: pytest.LogCaptureFixture, answer: str) -> None:
    """JSON body, redirect parameters or error page: one INFO record with the ids, parties, code, error,
    status, how it was answered and the reason; the client-visible message is not repeated."""
    caplog.set_level(logging.DEBUG)
    ctx = RequestContext.create("corr-1", "https://localhost:8443")
    ctx.parties.note(tenant="contoso.example", tenant_id="t-1", client_id=CLIENT_ID.upper())
    err = AadstsError.of(Aadsts.InvalidClientSecretProvided, client_id=CLIENT_ID, debug="wrong secret")
    if answer == "json":
        render_json(err, ctx)
    elif answer == "redirect":
        redirect_fields(err, ctx, "state-1")
    else:
        page_fields(err, ctx)
    [record] = refusals(caplog)
    assert record.levelno == logging.INFO
    assert record.getMessage() == "refused: AADSTS7000215"
    fields = {k: getattr(record, k) for k in ("trace_id", "correlation_id", "tenant", "tenant_id", "client_id")}
    assert fields == {
        "trace_id": ctx.trace_id,
        "correlation_id": "corr-1",
        "tenant": "contoso.example",
        "tenant_id": "t-1",
        "client_id": CLIENT_ID,
    }
    assert (record.code, record.error, record.status, record.answer, record.reason) == (  # type: ignore[attr-defined]
        7000215,
        "invalid_client",
        401,
        answer,
        "wrong secret",
    )
    assert not hasattr(record, "principal") and not hasattr(record, "suberror")


def test_client_id_that_is_not_a_guid_is_not_echoed(caplog: pytest.LogCaptureFixture) -> None:
    """A client_id that is no GUID may be a secret pasted into the wrong field; a tenant is kept printable."""
    caplog.set_level(logging.INFO)
    ctx = RequestContext()
    ctx.parties.note(tenant="bad\nsegment", client_id=TYPED)
    render_json(AadstsError.of(Aadsts.UnauthorizedClient_DoesNotMatchRequest, client_id=TYPED, tenant="x"), ctx)
    [record] = refusals(caplog)
    assert record.client_id == "(not a GUID)"  # type: ignore[attr-defined]
    assert record.tenant == "bad?segment"  # type: ignore[attr-defined]
    assert TYPED not in caplog.text


def test_a_pending_device_poll_is_not_an_info_refusal(caplog: pytest.LogCaptureFixture) -> None:
    """`authorization_pending` answers every poll of a waiting device: DEBUG, not INFO."""
    caplog.set_level(logging.INFO)
    render_json(AadstsError.of(Aadsts.AuthorizationPending), RequestContext())
    assert refusals(caplog) == []


def test_not_found_and_bearer_errors_log_too(caplog: pytest.LogCaptureFixture) -> None:
    """The non-AADSTS bodies (a 404, an RFC 6750 challenge) log one record each with their own reason."""
    caplog.set_level(logging.INFO)
    ctx = RequestContext()
    missing = not_found(ctx, "No endpoint at /nope.", reason="no endpoint at this path")
    challenge = bearer_error(ctx, 'The token "x" expired.', token_sent=True)
    assert missing.body == {
        "error": "not_found",
        "error_description": "No endpoint at /nope.",
        "trace_id": ctx.trace_id,
    }
    assert (
        challenge.headers["WWW-Authenticate"]
        == 'Bearer error="invalid_token", error_description="The token \'x\' expired."'
    )
    assert bearer_error(ctx, "No access token was sent.", token_sent=False).headers["WWW-Authenticate"] == "Bearer"
    records = refusals(caplog)
    assert [(r.error, r.status, r.reason) for r in records] == [  # type: ignore[attr-defined]
        ("not_found", 404, "no endpoint at this path"),
        ("invalid_token", 401, 'The token "x" expired.'),
        ("invalid_token", 401, "No access token was sent."),
    ]
