"""Entra's wire format for errors: the only place that builds an error body of the STS (style P1), and so
the place that logs every refusal for operators (`errors/refusals.py`): each builder below logs one line.

Layout (shared/docs/entra-reference.md §3.1): `error_description` is
"AADSTSnnnnn: text\\r\\nTrace ID: …\\r\\nCorrelation ID: …\\r\\nTimestamp: YYYY-MM-DD HH:MM:SSZ".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tenantry.common.context import RequestContext
from tenantry.errors.catalog import ErrorSpec
from tenantry.errors.error import AadstsError, readable_description
from tenantry.errors.refusals import log_refusal, log_refused

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


@dataclass(frozen=True, slots=True)
class RenderedError:
    """A ready-to-send error: status, headers and JSON body."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def entra_timestamp(ctx: RequestContext) -> str:
    """Entra's `timestamp` format: space separator, no fraction, `Z`."""
    return ctx.received_at.strftime("%Y-%m-%d %H:%M:%SZ")


def error_uri(ctx: RequestContext, code: int) -> str:
    """The lookup page on the host the client called, like Entra's `error_uri`."""
    return f"{ctx.base_url}/error?code={code}"


def describe(err: AadstsError, ctx: RequestContext) -> str:
    """The full `error_description` with Entra's CRLF trailer."""
    return (
        f"AADSTS{err.code}: {err.message}\r\nTrace ID: {ctx.trace_id}\r\n"
        f"Correlation ID: {ctx.correlation_id}\r\nTimestamp: {entra_timestamp(ctx)}"
    )


def error_body(err: AadstsError, ctx: RequestContext) -> dict[str, Any]:
    """The JSON object of a token/devicecode/metadata error, fields in Entra's order."""
    body: dict[str, Any] = {
        "error": err.spec.oauth_error,
        "error_description": describe(err, ctx),
        "error_codes": [err.code],
        "timestamp": entra_timestamp(ctx),
        "trace_id": ctx.trace_id,
        "correlation_id": ctx.correlation_id,
        "error_uri": error_uri(ctx, err.code),
    }
    if err.suberror:
        body["suberror"] = err.suberror
    if err.claims:
        body["claims"] = err.claims
    return body


def render_json(err: AadstsError, ctx: RequestContext) -> RenderedError:
    """Status, headers and body for an error answered as JSON (RFC 6749 §5.2); logs the refusal."""
    log_refusal(err, ctx, "json")
    headers = {**NO_STORE, "x-ms-request-id": ctx.trace_id}
    if err.spec.http_status == 401:
        # RFC 9110 §15.5.2: a 401 carries a challenge; RFC 6749 §5.2 names Basic for client auth.
        headers["WWW-Authenticate"] = 'Basic realm="tenantry"'
    return RenderedError(err.spec.http_status, headers, error_body(err, ctx))


def redirect_fields(err: AadstsError, ctx: RequestContext, state: str | None) -> dict[str, str]:
    """The parameters of an error sent back to a validated redirect URI (RFC 6749 §4.1.2.1), in order;
    form_post sends them as form fields, query and fragment as `redirect_params`. Logs the refusal."""
    log_refusal(err, ctx, "redirect")
    params = {
        "error": err.spec.oauth_error,
        "error_description": describe(err, ctx),
        "error_uri": error_uri(ctx, err.code),
    }
    if state is not None:
        params["state"] = state
    return params


def redirect_params(err: AadstsError, ctx: RequestContext, state: str | None) -> str:
    """Query/fragment parameters for an error sent back to a validated redirect URI (RFC 6749 §4.1.2.1)."""
    return urlencode(redirect_fields(err, ctx, state))


def page_fields(err: AadstsError, ctx: RequestContext) -> dict[str, str]:
    """What the sign-in error page shows (the counterpart of Entra's sign-in error page):
    the code, the message, trace and correlation ids, the timestamp and the lookup link. Logs the refusal."""
    log_refusal(err, ctx, "page")
    return {
        "code": str(err.code),
        "name": err.spec.name,
        "error": err.spec.oauth_error,
        "message": err.message,
        "trace_id": ctx.trace_id,
        "correlation_id": ctx.correlation_id,
        "timestamp": entra_timestamp(ctx),
        "error_uri": error_uri(ctx, err.code),
    }


def not_found(
    ctx: RequestContext, description: str, *, reason: str, key: str = "error_description", status: int = 404
) -> RenderedError:
    """A JSON 404 for what nobody serves (a path, a user realm, an unknown code): not an AADSTS error, so
    only `error`, the description under `key` and the trace id; `reason` (without request values) is logged."""
    log_refused(ctx, "not found", error="not_found", status=status, reason=reason)
    body = {"error": "not_found", key: description, "trace_id": ctx.trace_id}
    return RenderedError(status, {"x-ms-request-id": ctx.trace_id}, body)


def bearer_error(
    ctx: RequestContext, description: str, *, token_sent: bool, reason: str | None = None
) -> RenderedError:
    """RFC 6750 §3 for a resource endpoint (userinfo): 401 with a `Bearer` challenge, without an error code
    when no token was sent (§3.1); quotes and backslashes cannot appear inside the challenge."""
    log_refused(ctx, "bearer token refused", error="invalid_token", status=401, reason=reason or description)
    challenge = "Bearer"
    if token_sent:
        safe = description.replace('"', "'").replace("\\", "/")
        challenge = f'Bearer error="invalid_token", error_description="{safe}"'
    headers = {**NO_STORE, "WWW-Authenticate": challenge, "x-ms-request-id": ctx.trace_id}
    return RenderedError(401, headers, {"error": "invalid_token", "error_description": description})


def lookup_document(spec: ErrorSpec) -> dict[str, Any]:
    """The JSON answer of `/error?code=N` and `tenantry error explain N`."""
    return {
        "code": spec.code,
        "name": spec.name,
        "error": spec.oauth_error,
        "description": readable_description(spec),
        "remedy": spec.remediation,
    }
