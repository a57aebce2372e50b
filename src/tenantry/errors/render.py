"""Entra's wire format for errors: the only place that builds an AADSTS error body (style P1).

Layout (shared/docs/entra-reference.md §3.1): `error_description` is
"AADSTSnnnnn: text\\r\\nTrace ID: …\\r\\nCorrelation ID: …\\r\\nTimestamp: YYYY-MM-DD HH:MM:SSZ".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tenantry.common.context import RequestContext
from tenantry.errors.catalog import ErrorSpec
from tenantry.errors.error import AadstsError, fill

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


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
    return body


def render_json(err: AadstsError, ctx: RequestContext) -> RenderedError:
    """Status, headers and body for an error answered as JSON (RFC 6749 §5.2)."""
    headers = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache", "x-ms-request-id": ctx.trace_id}
    if err.spec.http_status == 401:
        # RFC 9110 §15.5.2: a 401 carries a challenge; RFC 6749 §5.2 names Basic for client auth.
        headers["WWW-Authenticate"] = 'Basic realm="tenantry"'
    return RenderedError(err.spec.http_status, headers, error_body(err, ctx))


def redirect_fields(err: AadstsError, ctx: RequestContext, state: str | None) -> dict[str, str]:
    """The parameters of an error sent back to a validated redirect URI (RFC 6749 §4.1.2.1), in order;
    form_post sends them as form fields, query and fragment as `redirect_params`."""
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
    the code, the message, trace and correlation ids, the timestamp and the lookup link."""
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


def lookup_document(spec: ErrorSpec) -> dict[str, Any]:
    """The JSON answer of `/error?code=N` and `tenantry error explain N`."""
    return {
        "code": spec.code,
        "name": spec.name,
        "error": spec.oauth_error,
        "description": readable_description(spec),
        "remedy": spec.remediation,
    }


def readable_description(spec: ErrorSpec) -> str:
    """The description for people reading about a code, with placeholders shown as ‹name›."""
    return fill(spec.description, _AngleQuoted())


class _AngleQuoted(dict[str, str]):
    """A mapping that answers every placeholder with its own name in angle quotes."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __getitem__(self, key: str) -> str:
        return f"‹{key}›"
