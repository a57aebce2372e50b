"""`grant_type=refresh_token` (RFC 6749 §6; entra-reference §2.5, msal-compat §2.4).

Every use returns a new refresh token of the same family; the one used keeps working until it expires or
its family is revoked, as Entra's do. Lifetimes: 90 days of inactivity (each token expires 90 days after
it was issued, and each use issues a new one) → 700082; tokens of a `spa` redirect URI live a fixed 24
hours from the sign-in, carried over by rotation → 700084. A revoked family, an admin's "revoke
sessions" or a password change after the sign-in → 50173. An unknown or garbled token, or one of another
client or tenant → 70000 (9002313 is for malformed requests, not for bad token values).

`scope` is optional: without it the token's scopes are used; with it the new access token may be for
another resource the user already consented to (MSAL's `acquire_token_silent` for a new scope does this).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.client_auth import AuthenticatedClient
from tenantry.protocol.form import require
from tenantry.protocol.grants.base import TokenRequest
from tenantry.protocol.grants.delegated import (
    CallingClient,
    SignIn,
    authenticate_client,
    check_spa_origin,
    check_user_state,
    granted_scp,
    identify_client,
    session_auth_methods,
    user_grant,
    with_conditional_access,
)
from tenantry.protocol.grants.deps import UserGrantDeps
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.scopes import UserScopes, parse_user_scopes
from tenantry.protocol.tenancy import TenantRef
from tenantry.protocol.user_tokens import SPA_REFRESH_LIFETIME, UserGrant
from tenantry.tokens.models import RefreshToken
from tenantry.tokens.opaque import token_hash


@dataclass(frozen=True, slots=True)
class RefreshDecision:
    """A refresh token that may be used, and what the new tokens say."""

    base_url: str
    client: AuthenticatedClient
    grant: UserGrant


def timespan(delta: timedelta) -> str:
    """A duration the way Entra's messages print one (.NET TimeSpan): `d.hh:mm:ss`."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    return f"{days}.{hours:02d}:{minutes:02d}:{seconds:02d}"


def entra_instant(when: datetime) -> str:
    """An instant as Entra's messages print one: ISO 8601 with seven fractional digits."""
    return f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond:06d}0Z"


def check_refresh_lifetime(token: RefreshToken, now: datetime) -> None:
    """SPA tokens: fixed lifetime (700084); others: 90 days of inactivity (700082, with Entra's parameters)."""
    if now < token.expires_at:
        return
    if token.spa:
        raise AadstsError.of(
            Aadsts.SpaRefreshTokenExpired,
            lifetime=timespan(SPA_REFRESH_LIFETIME),
            debug=f"SPA refresh token of family {token.family_id} expired at {token.expires_at:%Y-%m-%dT%H:%M:%SZ}",
        )
    raise AadstsError.of(
        Aadsts.ExpiredOrRevokedGrantInactiveToken,
        issued=entra_instant(token.created_at),
        inactive=timespan(now - token.created_at),
        debug=f"refresh token of family {token.family_id} expired at {token.expires_at:%Y-%m-%dT%H:%M:%SZ}",
    )


def is_public_refresh(token: RefreshToken, caller: CallingClient) -> bool:
    """SPA tokens are public. Otherwise a sent credential is checked as a confidential client's; without
    one the app must be able to run public flows (public client flows on, or a mobile/desktop URI)."""
    if token.spa:
        return True
    if caller.sent_credential:
        return False
    return caller.app.is_public_client or bool(caller.app.public_client_redirect_uris)


def refresh_scopes(scope: str | None, token: RefreshToken, tenant: Tenant, unit: StsUnit) -> UserScopes:
    """The requested scopes (or the token's); a refresh always rotates, so `offline_access` is implied."""
    scopes = parse_user_scopes(scope or " ".join(token.scopes), tenant, unit)
    if not scopes.wants_refresh_token:
        scopes = replace(scopes, oidc=scopes.oidc | {"offline_access"})
    return scopes


def _invalid_token(hint: str) -> AadstsError:
    return AadstsError.of(Aadsts.InvalidGrant, hint=hint)


def token_tenant(token: RefreshToken, ref: TenantRef, unit: StsUnit) -> Tenant:
    """The token's tenant; a tenant endpoint naming another one cannot use it (70000)."""
    if ref.tenant is not None and ref.tenant.id != token.tenant_id:
        raise _invalid_token("The refresh token was issued in another tenant.")
    tenant = ref.tenant or unit.find_tenant(token.tenant_id)
    assert tenant is not None, "a refresh token always has a tenant (foreign key)"
    return tenant


class RefreshTokenGrant:
    """Rotates refresh tokens and mints new access and id tokens."""

    grant_type: ClassVar[str] = "refresh_token"
    parameters: ClassVar[frozenset[str]] = frozenset({"refresh_token", "scope", "client_info"})

    def __init__(self, deps: UserGrantDeps) -> None:
        self._deps = deps

    def validate(self, request: TokenRequest, unit: StsUnit) -> RefreshDecision:
        """Client, token, tenant, credential, origin, lifetime, revocation, user, scopes, consent."""
        caller = identify_client(self._deps.client_authenticator, request, unit)
        token = unit.find_refresh_token(token_hash(require(request.form, "refresh_token")))
        if token is None:
            raise _invalid_token("The refresh token is not valid.")
        if token.client_id != caller.app.app_id:
            raise AadstsError.of(
                Aadsts.InvalidGrant,
                hint="The refresh token was issued to another client.",
                debug=f"refresh token of family {token.family_id} was issued to {token.client_id}",
            )
        tenant = token_tenant(token, request.tenant, unit)
        client = authenticate_client(
            self._deps.client_authenticator, request, caller, tenant, unit, public=is_public_refresh(token, caller)
        )
        check_spa_origin(token.spa, request)
        check_refresh_lifetime(token, self._deps.clock.now())
        if token.revoked_at is not None:
            raise AadstsError.of(
                Aadsts.FreshTokenNeeded,
                hint="The refresh token was revoked.",
                debug=f"refresh token family {token.family_id} was revoked at {token.revoked_at:%Y-%m-%dT%H:%M:%SZ}",
            )
        return RefreshDecision(request.base_url, client, self._grant(token, tenant, client, request, unit))

    def _grant(
        self, token: RefreshToken, tenant: Tenant, client: AuthenticatedClient, request: TokenRequest, unit: StsUnit
    ) -> UserGrant:
        user = unit.find_user(token.tenant_id, token.user_id)
        if user is None:
            raise _invalid_token("The user the refresh token was issued for no longer exists.")
        check_user_state(user, token.auth_time)
        scopes = refresh_scopes(request.form.get("scope"), token, tenant, unit)
        scp = granted_scp(client, scopes, user, unit)
        sign_in = SignIn(
            tenant,
            auth_time=token.auth_time,
            session_id=token.session_id,
            spa=token.spa,
            family_id=token.family_id,
            refresh_expires_at=token.expires_at if token.spa else None,
            auth_methods=session_auth_methods(token.session_id, unit),
        )
        return with_conditional_access(user_grant(sign_in, client, user, scopes, scp, request), client, request, unit)

    def needs_write(self, decision: RefreshDecision) -> bool:
        """Every refresh stores the next refresh token."""
        return True

    def issue(self, decision: RefreshDecision, unit: StsUnit) -> dict[str, Any]:
        """Record a client assertion's jti, then mint (the issuer stores the rotated refresh token)."""
        self._deps.client_authenticator.record_assertion(decision.client, unit)
        return self._deps.user_tokens.issue(decision.grant, unit, decision.base_url)
