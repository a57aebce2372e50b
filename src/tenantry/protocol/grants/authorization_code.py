"""`grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636, OIDC Core §3.1.3; entra-reference §1.6).

A code is redeemed once, within its ten minutes, by the client it was issued to, with the same
`redirect_uri` and the PKCE verifier. The redirect URI's platform decides how the client proves itself:
`web` → confidential (a credential is required, 7000218); `spa` and public-client (native) URIs, or an
app with "Allow public client flows" → public (no credential, 700025 if one is sent). SPA codes must be
redeemed cross-origin. The refresh-token family continues from `code.family_id`, so a replay can revoke it.

Codes chosen from the catalogue (each `invalid_grant` unless noted):
- unknown code, code of another client, expired code, `redirect_uri` different from the stored one → 70000
  with a hint; Entra answers the redirect mismatch at /token with 70000 ("The provided value for the
  'redirect_uri' is not valid…"), not 50011, which belongs to /authorize;
- code of another tenant → 700005; replayed code → 54005 (and its refresh-token family is revoked);
- PKCE → see `grants/pkce.py`; SPA without `Origin` → 90023 (invalid_request), see `check_spa_origin`.

A redemption that fails on the code's own bindings (another client, another `redirect_uri`, a wrong or
missing PKCE verifier) **burns the code**: whoever holds a stolen code gets one try, not one per guess,
and the legitimate redemption that follows gets 54005 like any replay (RFC 9700 §4.5, RFC 6749 §10.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.authorize.redirect_uris import match_redirect_uri
from tenantry.protocol.client_auth import AuthenticatedClient
from tenantry.protocol.form import require
from tenantry.protocol.grants.base import TokenRequest
from tenantry.protocol.grants.delegated import (
    CallingClient,
    SignIn,
    authenticate_client,
    check_spa_origin,
    check_user_state,
    commit_now,
    granted_scp,
    identify_client,
    session_auth_methods,
    user_grant,
)
from tenantry.protocol.grants.deps import StoredCodeGrantDeps
from tenantry.protocol.grants.pkce import check_code_verifier
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.scopes import parse_user_scopes
from tenantry.protocol.tenancy import TenantAlias, TenantRef
from tenantry.protocol.user_tokens import UserGrant
from tenantry.tokens.models import AuthorizationCode
from tenantry.tokens.opaque import token_hash


@dataclass(frozen=True, slots=True)
class AuthorizationCodeDecision:
    """A code that may be redeemed, and what its redemption mints."""

    base_url: str
    code: AuthorizationCode
    client: AuthenticatedClient
    grant: UserGrant


def _invalid_code(hint: str, debug: str | None = None) -> AadstsError:
    return AadstsError.of(Aadsts.InvalidGrant, hint=hint, debug=debug)


def code_tenant(code: AuthorizationCode, ref: TenantRef, unit: StsUnit) -> Tenant:
    """The tenant the code was issued in; a tenant endpoint naming another one → 700005. `/common` and
    `/organizations` redeem codes of any tenant (the user's tenant was chosen at sign-in)."""
    if ref.tenant is not None and ref.tenant.id != code.tenant_id:
        raise AadstsError.of(Aadsts.InvalidGrantRedeemAgainstWrongTenant)
    if ref.tenant is None and ref.alias is TenantAlias.CONSUMERS:
        raise AadstsError.of(Aadsts.InvalidGrantRedeemAgainstWrongTenant)
    tenant = ref.tenant or unit.find_tenant(code.tenant_id)
    assert tenant is not None, "a code always has a tenant (foreign key)"
    return tenant


def is_public_redemption(code: AuthorizationCode, caller: CallingClient) -> bool:
    """SPA and public-client (mobile/desktop) redirect URIs are public; so is every URI of an app that
    allows public client flows (`isFallbackPublicClient`, which also makes a sent credential 700025)."""
    app = caller.app
    return code.spa or match_redirect_uri(app, code.redirect_uri) == "public" or app.is_public_client


class AuthorizationCodeGrant:
    """Redeems codes issued by /authorize."""

    grant_type: ClassVar[str] = "authorization_code"
    parameters: ClassVar[frozenset[str]] = frozenset({"code", "redirect_uri", "code_verifier", "client_info"})

    def __init__(self, deps: StoredCodeGrantDeps) -> None:
        self._deps = deps

    def validate(self, request: TokenRequest, unit: StsUnit) -> AuthorizationCodeDecision:
        """Client, code, tenant, credential, single use, lifetime, redirect URI, PKCE, user, consent."""
        caller = identify_client(self._deps.client_authenticator, request, unit)
        code = unit.find_authorization_code(token_hash(require(request.form, "code")))
        if code is None:
            raise _invalid_code("The code is not valid.")
        if code.client_id != caller.app.app_id:
            self._burn(code)
            raise _invalid_code(
                "The code was issued to another client.",
                f"code of family {code.family_id} was issued to {code.client_id}; it is burnt",
            )
        tenant = code_tenant(code, request.tenant, unit)
        client = authenticate_client(
            self._deps.client_authenticator,
            request,
            caller,
            tenant,
            unit,
            public=is_public_redemption(code, caller),
        )
        check_spa_origin(code.spa, request)
        self._check_code(code, request)
        return AuthorizationCodeDecision(
            request.base_url, code, client, self._grant(code, tenant, client, request, unit)
        )

    def _check_code(self, code: AuthorizationCode, request: TokenRequest) -> None:
        now = self._deps.clock.now()
        if code.redeemed_at is not None:
            # RFC 6749 §4.1.2: revoke what the first redemption produced; this must survive the error.
            commit_now(self._deps.store, lambda writes: writes.revoke_refresh_family(code.family_id, now))
            debug = (
                f"code of family {code.family_id} was redeemed at {code.redeemed_at:%Y-%m-%dT%H:%M:%SZ}; "
                "the family's refresh tokens are revoked"
            )
            raise AadstsError.of(Aadsts.AuthorizationCodeAlreadyRedeemed, debug=debug)
        if now >= code.expires_at:
            raise _invalid_code(
                "The code has expired.",
                f"code of family {code.family_id} expired at {code.expires_at:%Y-%m-%dT%H:%M:%SZ}",
            )
        try:
            if require(request.form, "redirect_uri") != code.redirect_uri:
                raise _invalid_code(
                    "The redirect_uri must exactly match the redirect URI used to obtain the authorization code."
                )
            check_code_verifier(code, request.form.get("code_verifier"))
        except AadstsError:
            self._burn(code)
            raise

    def _burn(self, code: AuthorizationCode) -> None:
        """Mark a code redeemed by a failed attempt, in a transaction that survives the error answer."""
        if code.redeemed_at is None:
            now = self._deps.clock.now()
            commit_now(self._deps.store, lambda writes: writes.redeem_authorization_code(code.code_hash, now))

    def _grant(
        self,
        code: AuthorizationCode,
        tenant: Tenant,
        client: AuthenticatedClient,
        request: TokenRequest,
        unit: StsUnit,
    ) -> UserGrant:
        user = unit.find_user(code.tenant_id, code.user_id)
        if user is None:
            raise _invalid_code("The user the code was issued for no longer exists.")
        check_user_state(user, code.auth_time)
        scopes = parse_user_scopes(" ".join(code.scopes), tenant, unit)
        scp = granted_scp(client, scopes, user, unit)
        # The code row does not record whether /authorize had `max_age`; OIDC Core §2 allows `auth_time`
        # always, and MSAL requires it whenever it sent `max_age`, so code redemptions always carry it.
        sign_in = SignIn(
            tenant,
            auth_time=code.auth_time,
            session_id=code.session_id,
            nonce=code.nonce,
            spa=code.spa,
            family_id=code.family_id,
            include_auth_time=True,
            auth_methods=session_auth_methods(code.session_id, unit),
        )
        return user_grant(sign_in, client, user, scopes, scp, request)

    def needs_write(self, decision: AuthorizationCodeDecision) -> bool:
        """Redeeming marks the code used."""
        return True

    def issue(self, decision: AuthorizationCodeDecision, unit: StsUnit) -> dict[str, Any]:
        """Mark the code redeemed (compare-and-set: of two concurrent redemptions one gets 54005), then mint."""
        if not unit.redeem_authorization_code(decision.code.code_hash, self._deps.clock.now()):
            # Lost a race with a concurrent redemption. A revocation written here would be rolled back
            # with this error; the next replay finds the code redeemed while validating and revokes then.
            raise AadstsError.of(Aadsts.AuthorizationCodeAlreadyRedeemed)
        self._deps.client_authenticator.record_assertion(decision.client, unit)
        return self._deps.user_tokens.issue(decision.grant, unit, decision.base_url)
