"""Entra's access-token claim sets (shared/docs/entra-reference.md §2.2).

The *resource* picks the token version (`api.requestedAccessTokenVersion`), not the endpoint the
client called: v1 tokens carry `appid`/`appidacr`, the `…/{tid}/` issuer and the audience as the client
named it; v2 tokens carry `azp`/`azpacr`, the `…/{tid}/v2.0` issuer and the resource's appId.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tenantry.common.ids import new_token_id
from tenantry.common.transparent import v1_issuer_base
from tenantry.directory.models import User

# Entra back-dates iat/nbf by five minutes to absorb relying parties' clock skew.
BACKDATE_SECONDS = 300


def issuer_for(base_url: str, tenant_id: str, version: int) -> str:
    """`{base}/{tid}/v2.0` for v2, `{base}/{tid}/` for v1 (Entra's sts.windows.net form, on our host; in
    transparent mode on sts.windows.net itself, as resource servers compare it exactly)."""
    return f"{base_url}/{tenant_id}/v2.0" if version == 2 else f"{v1_issuer_base(base_url)}/{tenant_id}/"


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


@dataclass(frozen=True, slots=True)
class UserTokenRequest:
    """Everything a delegated (user) access token says."""

    base_url: str
    tenant_id: str
    version: int
    audience: str
    client_app_id: str
    client_acr: str
    user: User
    subject: str
    scopes: tuple[str, ...]
    roles: tuple[str, ...]
    issued_at: int
    lifetime: int
    session_id: str | None
    auth_methods: tuple[str, ...] = ("pwd",)
    # Template ids of the user's directory roles, and Entra's member-user template id (§2.2 `wids`).
    wids: tuple[str, ...] = ()
    # `groups`, or the overage claims (`protocol/group_claims.py`), as the resource app asks.
    groups: Mapping[str, Any] = field(default_factory=dict)


def user_access_token_claims(req: UserTokenRequest) -> dict[str, Any]:
    """Claims of a delegated token: `scp` (space-separated), the user's app `roles`, profile claims, and
    `wids` (the user's directory role template ids)."""
    claims: dict[str, Any] = {
        "aud": req.audience,
        "iss": issuer_for(req.base_url, req.tenant_id, req.version),
        "iat": req.issued_at - BACKDATE_SECONDS,
        "nbf": req.issued_at - BACKDATE_SECONDS,
        "exp": req.issued_at + req.lifetime,
    }
    if req.version == 2:
        claims.update(azp=req.client_app_id, azpacr=req.client_acr, name=req.user.display_name)
        claims.update(oid=req.user.id, preferred_username=req.user.user_principal_name)
    else:
        claims.update(acr="1", amr=list(req.auth_methods), appid=req.client_app_id, appidacr=req.client_acr)
        claims.update(name=req.user.display_name, oid=req.user.id)
    if req.roles:
        claims["roles"] = list(req.roles)
    claims["scp"] = " ".join(req.scopes)
    if req.session_id:
        claims["sid"] = req.session_id
    claims.update(sub=req.subject, tid=req.tenant_id)
    if req.version == 1:
        claims.update(unique_name=req.user.user_principal_name, upn=req.user.user_principal_name)
    claims.update(uti=new_token_id(), ver=f"{req.version}.0")
    if req.wids:
        claims["wids"] = list(req.wids)
    claims.update(req.groups)
    return claims


@dataclass(frozen=True, slots=True)
class IdTokenRequest:
    """Everything an id_token says (OIDC Core §2; entra-reference §2.3)."""

    base_url: str
    tenant_id: str
    client_app_id: str
    user: User
    subject: str
    issued_at: int
    lifetime: int
    nonce: str | None = None
    session_id: str | None = None
    auth_time: int | None = None
    include_email: bool = False
    include_profile: bool = True
    groups: Mapping[str, Any] = field(default_factory=dict)


def id_token_claims(req: IdTokenRequest) -> dict[str, Any]:
    """v2 id_token: `aud` is the client, `nonce` echoed only when the request had one."""
    claims: dict[str, Any] = {
        "aud": req.client_app_id,
        "iss": issuer_for(req.base_url, req.tenant_id, 2),
        "iat": req.issued_at - BACKDATE_SECONDS,
        "nbf": req.issued_at - BACKDATE_SECONDS,
        "exp": req.issued_at + req.lifetime,
    }
    if req.auth_time is not None:
        claims["auth_time"] = req.auth_time
    if req.include_email and req.user.mail:
        claims["email"] = req.user.mail
    if req.include_profile:
        claims.update(name=req.user.display_name, oid=req.user.id, preferred_username=req.user.user_principal_name)
    if req.nonce is not None:
        claims["nonce"] = req.nonce
    if req.session_id:
        claims["sid"] = req.session_id
    claims.update(sub=req.subject, tid=req.tenant_id, uti=new_token_id(), ver="2.0")
    claims.update(req.groups)
    return claims
