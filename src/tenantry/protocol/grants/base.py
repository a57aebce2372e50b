"""What every grant is: declared parameters, then validate (reads only) and issue (writes) (style P4/P5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from tenantry.protocol.ports import StsUnit
from tenantry.protocol.tenancy import TenantRef
from tenantry.tokens.mint import UnsignedTokenResponse

# Parameters any grant may read: client authentication and the grant type itself.
CLIENT_PARAMETERS = frozenset({"grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type"})


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A parsed token request; `form` holds only the parameters the grant declared."""

    tenant: TenantRef
    form: Mapping[str, str]
    authorization: str | None
    # The public URL: the issuer's base, whatever host name the request used.
    base_url: str
    # The browser's `Origin` header: SPA codes and refresh tokens must be redeemed cross-origin.
    origin: str | None = None
    # The request's Host header, raw: a client assertion's `aud` may name the host the client called.
    host: str = ""
    # The caller's address ("" when unknown): ROPC's smart lockout counts failures per address.
    client_ip: str = ""


DecisionT = TypeVar("DecisionT")


class Grant(Protocol[DecisionT]):
    """One `grant_type`: `validate` returns an immutable decision; only `issue` writes and mints."""

    grant_type: ClassVar[str]
    parameters: ClassVar[frozenset[str]]

    def validate(self, request: TokenRequest, unit: StsUnit) -> DecisionT:
        """Check the request without side effects; raise `AadstsError` on the first problem."""
        ...

    def needs_write(self, decision: DecisionT) -> bool:
        """Whether `issue` will write (it then runs in a write transaction; reads-only issue stays cheap)."""
        ...

    def issue(self, decision: DecisionT, unit: StsUnit) -> dict[str, Any]:
        """Record what must be recorded and return the token response body."""
        ...


class InlineGrant(Grant[DecisionT], Protocol):
    """A grant whose validation needs no blocking I/O once the directory cache is warm (client credentials):
    the token endpoint runs it on the event loop and sends only the RSA signature to a signing thread."""

    def issue_unsigned(self, decision: DecisionT, unit: StsUnit) -> UnsignedTokenResponse:
        """Like `issue`, but the access token is returned minted and not yet signed."""
        ...
