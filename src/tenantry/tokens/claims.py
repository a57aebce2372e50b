"""Entra's access-token claim sets (shared/docs/entra-reference.md §2.2).

The *resource* picks the token version (`api.requestedAccessTokenVersion`), not the endpoint the
client called: v1 tokens carry `appid`/`appidacr`, the `…/{tid}/` issuer and the audience as the client
named it; v2 tokens carry `azp`/`azpacr`, the `…/{tid}/v2.0` issuer and the resource's appId.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenantry.common.ids import new_token_id

# Entra back-dates iat/nbf by five minutes to absorb relying parties' clock skew.
BACKDATE_SECONDS = 300


def issuer_for(base_url: str, tenant_id: str, version: int) -> str:
    """`{base}/{tid}/v2.0` for v2, `{base}/{tid}/` for v1 (Entra's sts.windows.net form, on our host)."""
    return f"{base_url}/{tenant_id}/v2.0" if version == 2 else f"{base_url}/{tenant_id}/"


@dataclass(frozen=True, slots=True)
class AppTokenRequest:
    """Everything an app-only (client credentials) access token says."""

    base_url: str
    tenant_id: str
    version: int
    audience: str
    client_app_id: str
    client_sp_id: str
    client_acr: str
    roles: tuple[str, ...]
    issued_at: int
    lifetime: int


def app_access_token_claims(req: AppTokenRequest) -> dict[str, Any]:
    """Claims of an app-only token: `oid` = `sub` = the client's service principal, `idtyp` = app."""
    claims: dict[str, Any] = {
        "aud": req.audience,
        "iss": issuer_for(req.base_url, req.tenant_id, req.version),
        "iat": req.issued_at - BACKDATE_SECONDS,
        "nbf": req.issued_at - BACKDATE_SECONDS,
        "exp": req.issued_at + req.lifetime,
    }
    if req.version == 2:
        claims.update(azp=req.client_app_id, azpacr=req.client_acr)
    else:
        claims.update(appid=req.client_app_id, appidacr=req.client_acr)
    claims.update(idtyp="app", oid=req.client_sp_id)
    if req.roles:
        claims["roles"] = list(req.roles)
    claims.update(sub=req.client_sp_id, tid=req.tenant_id, uti=new_token_id(), ver=f"{req.version}.0")
    return claims
