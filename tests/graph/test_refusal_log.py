"""Graph's refusals in the operator log (issue 10 §3): every error envelope logs one INFO record with the
status, Graph's code, the request-id the client sees and, once the token was accepted, the caller's
tenant, client and object id."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from graph.helpers import DENIED, INVALID_TOKEN, assert_graph_error
from graph.world import GraphWorld, auth


def the_refusal(caplog: pytest.LogCaptureFixture, request_id: str) -> logging.LogRecord:
    """The one INFO refusal record of the request answered with `request_id`."""
    found = [r for r in caplog.records if r.name == "tenantry.refusals" and getattr(r, "trace_id", None) == request_id]
    assert len(found) == 1
    assert found[0].levelno == logging.INFO
    return found[0]


def test_unauthenticated_request_logs_status_code_and_request_ids(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """401 before any caller is known: ids, status and code."""
    response = client.get("/v1.0/applications", headers={"client-request-id": "ops-corr-1"})
    error = assert_graph_error(response, 401, INVALID_TOKEN)
    record = the_refusal(caplog, error["innerError"]["request-id"])
    fields = record.__dict__
    assert (fields["status"], fields["error"], fields["correlation_id"]) == (401, INVALID_TOKEN, "ops-corr-1")
    assert "tenant_id" not in fields and "principal" not in fields


def test_denied_request_logs_the_caller(graph: GraphWorld, client: Any, caplog: pytest.LogCaptureFixture) -> None:
    """403 for a user without a role: the record names the user's tenant, the client and the user."""
    user = graph.new_user("ops-nobody")
    token = graph.user_token(user)
    app = graph.new_app()
    response = client.post(f"/v1.0/applications/{app.id}/addPassword", headers=auth(token), json={})
    error = assert_graph_error(response, 403, DENIED)
    record = the_refusal(caplog, error["innerError"]["request-id"])
    fields = record.__dict__
    assert (fields["status"], fields["error"]) == (403, DENIED)
    assert (fields["tenant_id"], fields["client_id"], fields["principal"]) == (
        graph.tenant.id,
        graph.console.app_id,
        user.id,
    )
