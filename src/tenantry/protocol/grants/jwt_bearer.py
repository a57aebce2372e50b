"""`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with `requested_token_use=on_behalf_of`
(RFC 7523 §2.1; Entra's on-behalf-of flow; msal-compat §2.7).

A middle-tier API (a confidential client) trades the access token a user's app sent it for a token to a
downstream API, still on behalf of that user. The `assertion` must be one of our access tokens: RS256
under a key we publish, our issuer, not expired (500133), issued *for* the calling app — its appId or
one of its App ID URIs as `aud` — and a user token, with `scp` (otherwise 50013). The user must still be
allowed in (50057, 50173), and consent for the downstream resource must exist (65001 / 90094).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tenantry.apps.models import Application
from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.client_auth import AuthenticatedClient
from tenantry.protocol.form import require
from tenantry.protocol.grants.base import TokenRequest
from tenantry.protocol.grants.delegated import (
    SignIn,
    check_user_state,
    granted_scp,
    identify_client,
    prove_client,
    user_grant,
    with_conditional_access,
)
from tenantry.protocol.grants.deps import OnBehalfOfGrantDeps
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.scopes import parse_user_scopes
from tenantry.protocol.tenancy import TenantRef
from tenantry.protocol.user_tokens import UserGrant
from tenantry.tokens.verify import VerifiedAccessToken, verify_access_token

JWT_BEARER_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ON_BEHALF_OF = "on_behalf_of"


def _invalid(reason: str) -> AadstsError:
    return AadstsError.of(Aadsts.InvalidAssertion, reason=reason)


def check_assertion_audience(token: VerifiedAccessToken, app: Application) -> None:
    """The assertion must have been issued for the calling app: `aud` is its appId or an App ID URI."""
    accepted = {app.app_id.lower(), *(uri.rstrip("/").lower() for uri in app.identifier_uris)}
    if not any(aud.rstrip("/").lower() in accepted for aud in token.audiences):
        raise _invalid("The assertion's audience is not the calling application.")
    if not token.is_user_token:
        raise _invalid("The assertion is an app-only token; on-behalf-of needs a user's token.")


def assertion_tenant(token: VerifiedAccessToken, ref: TenantRef, unit: StsUnit) -> Tenant:
    """The assertion's tenant; a tenant endpoint naming another tenant refuses it."""
    if ref.tenant is not None and ref.tenant.id != token.tenant_id:
        raise _invalid("The assertion was issued in another tenant.")
    tenant = ref.tenant or unit.find_tenant(token.tenant_id)
    if tenant is None:
        raise _invalid("The assertion's tenant does not exist.")
    return tenant


def _amr(incoming: VerifiedAccessToken) -> tuple[str, ...]:
    """The methods the user's sign-in proved, as the incoming token says (`amr`): conditional access on
    the downstream API sees the same multifactor sign-in."""
    amr = incoming.claims.get("amr")
    if isinstance(amr, list) and amr and all(isinstance(m, str) for m in amr):
        return tuple(amr)
    return ("pwd",)


@dataclass(frozen=True, slots=True)
class OnBehalfOfDecision:
    """The middle tier, the user it acts for, and the downstream token to mint."""

    base_url: str
    client: AuthenticatedClient
    grant: UserGrant


class OnBehalfOfGrant:
    """Exchanges a user's access token for one to another resource."""

    grant_type: ClassVar[str] = JWT_BEARER_GRANT_TYPE
    parameters: ClassVar[frozenset[str]] = frozenset({"assertion", "requested_token_use", "scope", "client_info"})

    def __init__(self, deps: OnBehalfOfGrantDeps) -> None:
        self._deps = deps

    def validate(self, request: TokenRequest, unit: StsUnit) -> OnBehalfOfDecision:
        """Client and its credential, parameters, the assertion, the user, scopes and consent."""
        authenticator = self._deps.client_authenticator
        caller = identify_client(authenticator, request, unit)
        if require(request.form, "requested_token_use") != ON_BEHALF_OF:
            raise AadstsError.of(
                Aadsts.InvalidRequestParameter, parameter="requested_token_use", hint="Only on_behalf_of is supported."
            )
        assertion, scope = require(request.form, "assertion"), require(request.form, "scope")
        acr, credential = prove_client(authenticator, request, caller, unit, request.tenant.tenant, public=False)
        incoming = self._verify(assertion, request.base_url)
        check_assertion_audience(incoming, caller.app)
        tenant = assertion_tenant(incoming, request.tenant, unit)
        client = AuthenticatedClient(
            caller.app, authenticator.service_principal(caller.app, tenant, unit), acr, credential
        )
        return OnBehalfOfDecision(request.base_url, client, self._grant(incoming, tenant, client, scope, request, unit))

    def _verify(self, assertion: str, base_url: str) -> VerifiedAccessToken:
        deps = self._deps
        return verify_access_token(assertion, deps.published_keys(), base_url, deps.clock.now(), deps.clock_skew)

    def _grant(
        self,
        incoming: VerifiedAccessToken,
        tenant: Tenant,
        client: AuthenticatedClient,
        scope: str,
        request: TokenRequest,
        unit: StsUnit,
    ) -> UserGrant:
        user = unit.find_user(tenant.id, incoming.user_id)
        if user is None:
            raise _invalid("The assertion's user does not exist.")
        check_user_state(user, incoming.issued_at)
        scopes = parse_user_scopes(scope, tenant, unit)
        scp = granted_scp(client, scopes, user, unit)
        sign_in = SignIn(
            tenant, auth_time=incoming.issued_at, session_id=incoming.session_id, auth_methods=_amr(incoming)
        )
        return with_conditional_access(user_grant(sign_in, client, user, scopes, scp, request), client, request, unit)

    def needs_write(self, decision: OnBehalfOfDecision) -> bool:
        """A refresh token (with `offline_access`) or a client assertion's jti is stored."""
        return decision.grant.scopes.wants_refresh_token or decision.client.assertion is not None

    def issue(self, decision: OnBehalfOfDecision, unit: StsUnit) -> dict[str, Any]:
        """Record the client assertion's jti, then mint."""
        self._deps.client_authenticator.record_assertion(decision.client, unit)
        return self._deps.user_tokens.issue(decision.grant, unit, decision.base_url)
