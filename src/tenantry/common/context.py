"""Per-request identifiers that every error and audit record carries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tenantry.common.ids import new_trace_id

_CORRELATION_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Trace id (ours, per request) and correlation id (the client's `client-request-id`, echoed)."""

    trace_id: str = field(default_factory=new_trace_id)
    correlation_id: str = field(default_factory=new_trace_id)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    base_url: str = ""

    @classmethod
    def create(cls, client_request_id: str | None, base_url: str) -> RequestContext:
        """Echo a well-formed `client-request-id` as the correlation id, as Entra does; else make one."""
        correlation = client_request_id if client_request_id and _CORRELATION_ID.fullmatch(client_request_id) else None
        return cls(correlation_id=correlation or new_trace_id(), base_url=base_url)
