"""The operator's side of a refusal (style P3): one log record per refused request, never in the answer.

Every error builder in `errors/render.py` (and Graph's envelope) calls in here, so each refused request
logs exactly one record on `tenantry.refusals`, at INFO, whose fields are what an operator matches a
user's report against and what they need to act: the trace and correlation ids, the tenant and client the
request named (`RequestContext.parties`), the AADSTS code, the OAuth error, the status and the internal
reason. The reason is the error's `debug`, else the catalogue text with its placeholders *named*, not
filled, because they may echo request values (a password typed into the user name box). Claimed client
ids that are not GUIDs are not echoed either. How the fields are written (JSON lines or text) is the
server's logging set-up (`server/logs.py`).
"""

from __future__ import annotations

import logging

from tenantry.common.context import RequestContext
from tenantry.common.ids import is_guid
from tenantry.errors.codes import Aadsts
from tenantry.errors.error import AadstsError, readable_description

log = logging.getLogger("tenantry.refusals")
# A device polling before the user finished is RFC 8628 §3.5 working as designed, every few seconds per
# device: logged at DEBUG so that INFO keeps to requests that really failed.
_ROUTINE_CODES = frozenset({int(Aadsts.AuthorizationPending)})
_MAX_NAME_LENGTH = 100


def operator_reason(err: AadstsError) -> str:
    """Why, for the operator: the raise site's `debug`, else the catalogue text with its placeholders named
    (never filled) followed by our own hint, which never quotes the request."""
    if err.debug:
        return err.debug
    text = readable_description(err.spec)
    return f"{text} {err.hint}" if err.hint else text


def log_refusal(err: AadstsError, ctx: RequestContext, answer: str) -> None:
    """The record of an AADSTS refusal; `answer` says how the client got it (json, redirect or page)."""
    level = logging.DEBUG if err.code in _ROUTINE_CODES else logging.INFO
    if log.isEnabledFor(level):
        log_refused(
            ctx,
            f"AADSTS{err.code}",
            level=level,
            code=err.code,
            error=err.spec.oauth_error,
            suberror=err.suberror,
            status=err.spec.http_status,
            answer=answer,
            reason=operator_reason(err),
        )


def log_refused(ctx: RequestContext, what: str, *, level: int = logging.INFO, **fields: object) -> None:
    """One refusal record: "refused: <what>", the request's ids and parties, then `fields` (None ones left
    out). Callers pass only values that are safe to log."""
    if not log.isEnabledFor(level):
        return
    parties = ctx.parties
    named: dict[str, object] = {
        "trace_id": ctx.trace_id,
        "correlation_id": ctx.correlation_id,
        "tenant": _printable(parties.tenant),
        "tenant_id": parties.tenant_id,
        "client_id": _client_id(parties.client_id),
        "principal": parties.principal,
        **fields,
    }
    log.log(level, "refused: %s", what, extra={name: value for name, value in named.items() if value is not None})


def _printable(value: str | None) -> str | None:
    """A claimed name as the request spelt it, kept printable and short."""
    if value is None:
        return None
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in value)
    return cleaned if len(cleaned) <= _MAX_NAME_LENGTH else cleaned[:_MAX_NAME_LENGTH] + "…"


def _client_id(value: str | None) -> str | None:
    """Client ids are GUIDs; anything else is not echoed (it may be a secret pasted into the wrong field)."""
    if value is None:
        return None
    return value.lower() if is_guid(value) else "(not a GUID)"
