"""Operator logs of the interactive endpoints (issue 10 §3, style P3): an error page, an error redirected to
the app and an error shown inline on a sign-in page each log one INFO refusal record with the trace id the
user sees, the tenant and client, and the internal reason; never the password that was typed (the suite's
log guard checks every record)."""

from __future__ import annotations

import logging
import uuid

import pytest

from tenantry.errors import Aadsts

from .browser import Browser, assert_error_page, assert_error_reply
from .conftest import PASSWORD, WEB_REDIRECT, World
from .test_authorize_errors import STATE, code_request
from .test_sign_in_flow import msal_request


def the_refusal(caplog: pytest.LogCaptureFixture, trace_id: str) -> logging.LogRecord:
    """The one INFO refusal record of the request answered with `trace_id`."""
    found = [r for r in caplog.records if r.name == "tenantry.refusals" and getattr(r, "trace_id", None) == trace_id]
    assert len(found) == 1, [r.__dict__ for r in caplog.records if r.name == "tenantry.refusals"]
    assert found[0].levelno == logging.INFO
    return found[0]


def test_wrong_password_on_the_page_logs_user_and_flow_parties(
    browser: Browser, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """50126 inline: the record has the page's trace id, the flow's tenant and client, and names the user
    by object id; neither the typed password nor the user name is in it."""
    typed = "Typed-wrong-Passw0rd"
    start = browser.get(world.authorize_path(), params=msal_request(world))
    page = browser.to_our_pages(
        browser.submit(browser.to_our_pages(start), "/login", username=world.alice.user_principal_name, action="next")
    )
    wrong = browser.submit(page, "/login/password", password=typed, action="sign_in")
    assert wrong.status_code == 400
    record = the_refusal(caplog, wrong.headers["x-ms-request-id"])
    fields = record.__dict__
    assert (fields["code"], fields["answer"], fields["client_id"]) == (50126, "page", world.native.app_id)
    assert (fields["tenant"], fields["tenant_id"]) == (world.tenant.id, world.tenant.id)
    assert fields["reason"] == f"wrong password for user {world.alice.id}"
    assert typed not in caplog.text and all(typed not in str(v) for v in fields.values())
    assert PASSWORD not in str(fields)


def test_error_redirected_to_the_app_logs_its_trace_id(
    browser: Browser, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """An error sent to the validated redirect URI: the trace id of its `error_description`."""
    response = browser.get(world.authorize_path(), params=code_request(world, response_mode="web_message"))
    params = assert_error_reply(response, Aadsts.UnsupportedResponseMode, WEB_REDIRECT, state=STATE)
    trace_id = params["error_description"].split("Trace ID: ", 1)[1].split("\r\n", 1)[0]
    record = the_refusal(caplog, trace_id)
    assert (record.code, record.answer, record.client_id, record.tenant) == (  # type: ignore[attr-defined]
        Aadsts.UnsupportedResponseMode,
        "redirect",
        world.web.app_id,
        world.tenant.id,
    )


def test_unknown_client_error_page_logs_the_claimed_client(
    browser: Browser, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """700016 on the error page: the client id as the query named it, and why."""
    unknown = str(uuid.uuid4())
    response = browser.get(world.authorize_path(), params=code_request(world, client_id=unknown))
    assert_error_page(response, Aadsts.UnauthorizedClient_DoesNotMatchRequest)
    record = the_refusal(caplog, response.headers["x-ms-request-id"])
    assert (record.client_id, record.answer, record.reason) == (unknown, "page", "no application has this appId")  # type: ignore[attr-defined]
