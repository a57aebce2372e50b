"""The token endpoint's logic, free of HTTP: resolve tenant, pick grant, validate, issue."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tenantry.protocol.form import require
from tenantry.protocol.grants.base import Grant, TokenRequest
from tenantry.protocol.grants.registry import GrantRegistry
from tenantry.protocol.ports import StsStore, StsUnit
from tenantry.protocol.tenancy import resolve_tenant
from tenantry.tokens.mint import UnsignedTokenResponse


@dataclass(frozen=True, slots=True)
class TokenCall:
    """One token request as the endpoint received it."""

    segment: str
    form: Mapping[str, str]
    authorization: str | None
    base_url: str
    origin: str | None = None
    host: str = ""
    # The caller's address (`RequestContext.client_ip`): smart lockout counts per address.
    client_ip: str = ""


@dataclass(frozen=True, slots=True)
class Issued:
    """A success body and the decision it was issued from (who, which app, which resource: the sign-in log
    reads them there, so nothing decodes the token)."""

    body: dict[str, Any]
    decision: object


@dataclass(frozen=True, slots=True)
class InlineOutcome:
    """What `start` got done on the event loop: a response whose access token still needs its RSA signature
    (with its decision), or the remaining (blocking) work to run on a worker thread."""

    unsigned: UnsignedTokenResponse | None = None
    remaining: Callable[[], Issued] | None = None
    decision: object = None


class TokenService:
    """Validates through the store's reader (cached directory lookups), then issues in the same reader
    when nothing is written, or in a write transaction. Whatever the issue phase must re-check
    atomically (a code's single use, a jti) it checks with compare-and-set writes there, so the gap
    between the two phases is harmless; a failed issue rolls back and leaves nothing half-written."""

    def __init__(self, store: StsStore, grants: GrantRegistry) -> None:
        self._store = store
        self._grants = grants

    def _request(self, call: TokenCall, grant: Grant[Any], unit: StsUnit) -> TokenRequest:
        tenant = resolve_tenant(call.segment, unit)
        form = GrantRegistry.relevant(grant, call.form)
        return TokenRequest(tenant, form, call.authorization, call.base_url, call.origin, call.host, call.client_ip)

    def handle(self, call: TokenCall) -> dict[str, Any]:
        """Blocking path (worker thread): return the success body, or raise `AadstsError`."""
        return self.issue(call).body

    def issue(self, call: TokenCall) -> Issued:
        """`handle`, with the decision the body was issued from."""
        with self._store.reader() as unit:
            grant = self._grants.select(require(call.form, "grant_type"))
            decision = grant.validate(self._request(call, grant, unit), unit)
            if not grant.needs_write(decision):
                return Issued(grant.issue(decision, unit), decision)
        return self._issue_writing(grant, decision)

    def _issue_writing(self, grant: Grant[Any], decision: Any) -> Issued:
        with self._store.transaction(write=True) as unit:
            return Issued(grant.issue(decision, unit), decision)

    def start(self, call: TokenCall) -> InlineOutcome:
        """Event-loop path for grants marked `inline` (client credentials): validation and claims here,
        signatures deferred; anything that must write, and every other grant, is handed back."""
        grant_type = require(call.form, "grant_type")
        grant = self._grants.find_inline(grant_type)
        # A client assertion may send us to an external issuer for its keys: never on the event loop.
        if grant is None or "client_assertion" in call.form:
            self._grants.select(grant_type)  # an unknown type is answered here (70003), not on a thread
            return InlineOutcome(remaining=lambda: self.issue(call))
        with self._store.reader() as unit:
            decision = grant.validate(self._request(call, grant, unit), unit)
            if grant.needs_write(decision):
                return InlineOutcome(remaining=lambda: self._issue_writing(grant, decision))
            return InlineOutcome(unsigned=grant.issue_unsigned(decision, unit), decision=decision)
