"""Per-request identifiers that every error and audit record carries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tenantry.common.ids import new_trace_id

_CORRELATION_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@dataclass(slots=True)
class RequestParties:
    """Who a request says it is for and from, noted by the endpoint that parsed it, so that the operator
    log line of a refusal can name them (style P3: the log, never the answer). Claimed values, not proven
    ones: `tenant` as the path named it, `tenant_id` once resolved, `client_id` as sent, `principal` the
    object id of the signed-in user or calling service principal. Endpoints note them only when they
    refuse, or where it costs nothing, so a successful token request does no extra work."""

    tenant: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    principal: str | None = None

    def note(
        self,
        *,
        tenant: str | None = None,
        tenant_id: str | None = None,
        client_id: str | None = None,
        principal: str | None = None,
    ) -> None:
        """Record what is known; a value left out (None) keeps what an earlier note said."""
        self.tenant = tenant or self.tenant
        self.tenant_id = tenant_id or self.tenant_id
        self.client_id = client_id or self.client_id
        self.principal = principal or self.principal


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Trace id (ours, per request) and correlation id (the client's `client-request-id`, echoed); the ids
    are fixed, `parties` is the one mutable part (see `RequestParties`). `client_ip` is the caller's address
    as the server saw it (the ASGI scope's `client`, which uvicorn sets, rewritten from `X-Forwarded-For`
    only on a plain-HTTP listener behind a trusted proxy), "" when unknown; smart lockout counts per
    address and sign-in logs record it."""

    trace_id: str = field(default_factory=new_trace_id)
    correlation_id: str = field(default_factory=new_trace_id)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    base_url: str = ""
    client_ip: str = ""
    parties: RequestParties = field(default_factory=RequestParties, compare=False, repr=False)

    @classmethod
    def create(cls, client_request_id: str | None, base_url: str, client_ip: str = "") -> RequestContext:
        """Echo a well-formed `client-request-id` as the correlation id, as Entra does; else make one."""
        correlation = client_request_id if client_request_id and _CORRELATION_ID.fullmatch(client_request_id) else None
        return cls(correlation_id=correlation or new_trace_id(), base_url=base_url, client_ip=client_ip)
