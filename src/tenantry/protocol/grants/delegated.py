"""What the user grants of the token endpoint share (authorization code, refresh token, password, device
code, on-behalf-of): who the client is and how it must prove it, whether the user may still get tokens,
consent, and the `UserGrant` the issuer mints from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from tenantry.apps.models import Application
from tenantry.conditional_access.models import ClientAppType
from tenantry.directory.models import Tenant, User
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.access import AccessRequest, require_access
from tenantry.protocol.assertion import VerifiedAssertion
from tenantry.protocol.audience import check_sign_in_audience
from tenantry.protocol.client_auth import AuthenticatedClient, ClientAuthenticator, Presented, presented_credentials
from tenantry.protocol.delegation import consent_state, require_consent
from tenantry.protocol.grants.base import TokenRequest
from tenantry.protocol.grants.client_credentials import token_endpoint_audiences
from tenantry.protocol.ports import StsStore, StsUnit
from tenantry.protocol.scopes import UserScopes
from tenantry.protocol.user_tokens import UserGrant
from tenantry.protocol.users import tenant_label


@dataclass(frozen=True, slots=True)
class CallingClient:
    """The app named by `client_id`, and the credentials the request carries (not yet checked)."""

    app: Application
    presented: Presented

    @property
    def sent_credential(self) -> bool:
        """A `client_secret` (body or Basic) or a `client_assertion` came with the request."""
        return self.presented.secret is not None or self.presented.assertion is not None


def identify_client(authenticator: ClientAuthenticator, request: TokenRequest, unit: StsUnit) -> CallingClient:
    """The app by `client_id` (unknown → 700016), its `signInAudience` against the path (50194 / 9002332),
    and on a tenant endpoint its service principal there (700016 / 7000112), before anything else."""
    presented = presented_credentials(request.form, request.authorization)
    app = authenticator.find_app(presented, unit, tenant_label(request.tenant))
    check_sign_in_audience(app, request.tenant)
    if request.tenant.tenant is not None:
        authenticator.service_principal(app, request.tenant.tenant, unit)
    return CallingClient(app, presented)


def authenticate_client(
    authenticator: ClientAuthenticator,
    request: TokenRequest,
    caller: CallingClient,
    tenant: Tenant,
    unit: StsUnit,
    *,
    public: bool,
) -> AuthenticatedClient:
    """The client's service principal in `tenant` (700016 / 7000112), then its credential: a public client
    must send none (700025), a confidential one must send a valid one (7000218, 7000215, 700027 …)."""
    sp = authenticator.service_principal(caller.app, tenant, unit)
    acr, assertion = prove_client(authenticator, request, caller, unit, tenant, public=public)
    return AuthenticatedClient(caller.app, sp, acr, assertion)


def prove_client(
    authenticator: ClientAuthenticator,
    request: TokenRequest,
    caller: CallingClient,
    unit: StsUnit,
    tenant: Tenant | None,
    *,
    public: bool,
) -> tuple[str, VerifiedAssertion | None]:
    """Check the credential alone, before the tenant is known when the path is an alias (ROPC on
    /organizations): an assertion's `aud` is then this alias's token endpoint."""
    audiences = token_endpoint_audiences(request, tenant)
    return authenticator.verify(caller.app, caller.presented, unit, audiences, public=public)


def check_user_state(user: User, auth_time: datetime) -> None:
    """A disabled account gets no tokens (50057); an admin's "revoke sessions" or a password change after
    the sign-in the grant stems from revokes it (50173, entra-reference §2.5 revocation matrix). Times are
    compared in whole seconds, the resolution of JWT times (an on-behalf-of assertion's `iat`)."""
    if not user.account_enabled:
        raise AadstsError.of(Aadsts.UserDisabled, debug=f"user {user.id} is disabled")
    if _after(user.sign_in_sessions_valid_from, auth_time):
        raise AadstsError.of(
            Aadsts.FreshTokenNeeded,
            hint="The user's sessions were revoked after this sign-in.",
            debug=f"user {user.id}: sessions revoked at {user.sign_in_sessions_valid_from:%Y-%m-%dT%H:%M:%SZ}, "
            f"after the sign-in at {auth_time:%Y-%m-%dT%H:%M:%SZ}",
        )
    if _after(user.password_changed_at, auth_time):
        raise AadstsError.of(
            Aadsts.FreshTokenNeeded,
            hint="The user's password changed after this sign-in.",
            debug=f"user {user.id}: password changed at {user.password_changed_at:%Y-%m-%dT%H:%M:%SZ}, "
            f"after the sign-in at {auth_time:%Y-%m-%dT%H:%M:%SZ}",
        )


def _after(change: datetime | None, auth_time: datetime) -> bool:
    return change is not None and int(change.timestamp()) > int(auth_time.timestamp())


def check_spa_origin(spa: bool, request: TokenRequest) -> None:
    """Codes and refresh tokens of a `spa` redirect URI may only be redeemed cross-origin, i.e. by the
    browser, which sends `Origin` (entra-reference §1.6). Entra's AADSTS9002327 is not in our catalogue;
    90023 (invalid_request, "the request is not valid") is the closest, with the reason as hint."""
    if spa and not request.origin:
        raise AadstsError.of(
            Aadsts.InvalidRequest,
            hint="Tokens issued for a single-page application may only be redeemed via cross-origin requests.",
        )


def granted_scp(client: AuthenticatedClient, scopes: UserScopes, user: User, unit: StsUnit) -> tuple[str, ...]:
    """The `scp` for this user and resource; consent must already exist (65001, or 90094 for admin-only
    scopes), because the token endpoint cannot show a consent page."""
    state = consent_state(client.app, client.service_principal, scopes, user, unit)
    require_consent(state, client.app)
    return state.scp


@dataclass(frozen=True, slots=True)
class SignIn:
    """The sign-in a grant stems from: where and when the user authenticated, and what it carries over."""

    tenant: Tenant
    auth_time: datetime
    session_id: str | None = None
    nonce: str | None = None
    spa: bool = False
    family_id: str | None = None
    refresh_expires_at: datetime | None = None
    include_auth_time: bool = False
    auth_methods: tuple[str, ...] = ("pwd",)


def session_auth_methods(session_id: str | None, unit: StsUnit) -> tuple[str, ...]:
    """The `amr` of the SSO session a code or refresh token stems from (`pwd`, or `pwd mfa` after a TOTP
    check); `pwd` when there is none (ROPC, device code)."""
    session = unit.find_session_by_id(session_id) if session_id else None
    return session.auth_methods if session is not None else ("pwd",)


def user_grant(
    sign_in: SignIn,
    client: AuthenticatedClient,
    user: User,
    scopes: UserScopes,
    scp: tuple[str, ...],
    request: TokenRequest,
) -> UserGrant:
    """What the issuer mints from; `client_info` is returned when the client sent `client_info=1` (MSAL does)."""
    return UserGrant(
        tenant=sign_in.tenant,
        client_app=client.app,
        client_acr=client.acr,
        user=user,
        scopes=scopes,
        scp=scp,
        auth_time=sign_in.auth_time,
        session_id=sign_in.session_id,
        nonce=sign_in.nonce,
        spa=sign_in.spa,
        family_id=sign_in.family_id,
        refresh_expires_at=sign_in.refresh_expires_at,
        include_auth_time=sign_in.include_auth_time,
        client_info=request.form.get("client_info") == "1",
        auth_methods=sign_in.auth_methods,
    )


def with_conditional_access(
    grant: UserGrant, client: AuthenticatedClient, request: TokenRequest, unit: StsUnit
) -> UserGrant:
    """Evaluate the tenant's conditional access for a grant that cannot show a page (ROPC, refresh,
    on-behalf-of): refused → the AADSTS error of `protocol.access.refusal`; granted → the grant, carrying
    the evaluation for the sign-in log. A public client is a "mobile app or desktop client"; a SPA's or a
    confidential (web) app's request is a browser's, as Entra classifies them."""
    public = client.acr == "0" and not grant.spa
    kind = ClientAppType.MODERN if public else ClientAppType.BROWSER
    access = AccessRequest(
        tenant_id=grant.tenant.id,
        user=grant.user,
        client_app_id=client.app.app_id,
        resource_app_id=grant.scopes.resource.app.app_id,
        client_app_type=kind,
        ip_address=request.client_ip,
        auth_methods=grant.auth_methods,
    )
    return replace(grant, access=require_access(access, unit))


def commit_now(store: StsStore, write: Callable[[StsUnit], object]) -> None:
    """Run `write` in a transaction of its own that commits before the request is answered.

    For the writes an *error* answer must not roll back: revoking what a replayed code produced
    (RFC 6749 §4.1.2; fosite revokes in its validation handler too) and a device poll's time. Call it
    only from `validate`, which runs in a read transaction, never while a write transaction is open.
    """
    with store.transaction(write=True) as unit:
        write(unit)
