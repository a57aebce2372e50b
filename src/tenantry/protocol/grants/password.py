"""`grant_type=password`: the resource owner password credentials grant (RFC 6749 §4.3; ROPC in Entra).

Not on `/common` or `/consumers` (9001023); `/organizations` finds the tenant from the UPN's domain, a
tenant endpoint takes only its own users (50020). The client is public when it allows public client
flows (`isFallbackPublicClient`, which then must send no credential, 700025) and confidential otherwise
(a credential is required, 7000218). The password is checked by `PasswordAuthenticator` (50034 unknown
user, 50126 wrong password, 50057 disabled, 50055 `user_password_expired` when the password must be
changed first: forced by an administrator, or expired under the tenant's password policy). Nobody can
be asked for consent here, so it must exist already, from an admin or an earlier interactive sign-in
(65001 / 90094); an app that requires assignment refuses unassigned users (50105). Conditional access is
evaluated last (53003 / 50076 / 50079 / 50055 with their claims challenge, protocol/access.py), then the
per-user MFA rule (50076 for a user with an authenticator app or whose per-user MFA is required).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tenantry.directory.models import User
from tenantry.errors import Aadsts, AadstsError
from tenantry.passwords.authenticate import check_password_current
from tenantry.protocol.client_auth import AuthenticatedClient
from tenantry.protocol.delegation import check_user_assignment
from tenantry.protocol.form import require
from tenantry.protocol.grants.base import TokenRequest
from tenantry.protocol.grants.delegated import (
    SignIn,
    granted_scp,
    identify_client,
    prove_client,
    user_grant,
    with_conditional_access,
)
from tenantry.protocol.grants.deps import PasswordGrantDeps
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.scopes import parse_user_scopes
from tenantry.protocol.tenancy import TenantAlias
from tenantry.protocol.user_tokens import UserGrant
from tenantry.protocol.users import sign_in_tenant, tenant_label
from tenantry.sessions.mfa import requires_second_factor


@dataclass(frozen=True, slots=True)
class PasswordDecision:
    """A proven user and client; `rehashed` is the user with an upgraded password hash to store, if any."""

    base_url: str
    client: AuthenticatedClient
    grant: UserGrant
    rehashed: User | None


class DeferredRehash:
    """The user store `PasswordAuthenticator` needs, holding back its one write (an upgraded hash) until
    the issuing phase, so that validation only reads (style P5)."""

    def __init__(self, unit: StsUnit) -> None:
        self._unit = unit
        self.rehashed: User | None = None

    def find_user_by_upn(self, upn: str) -> User | None:
        """By UPN, from storage."""
        return self._unit.find_user_by_upn(upn)

    def update_user(self, user: User) -> None:
        """Remember the rehashed user; `PasswordGrant.issue` stores it."""
        self.rehashed = user


def check_no_second_factor(user: User, unit: StsUnit) -> None:
    """ROPC cannot ask for a code: a user with an authenticator app, or whose per-user MFA is required,
    gets AADSTS50076 (`suberror` `basic_action`: MSAL's interaction-required), once the password is proven."""
    methods = unit.list_auth_methods(user.tenant_id, user.id)
    if requires_second_factor(methods, unit.find_mfa_state(user.tenant_id, user.id)):
        raise AadstsError.of(Aadsts.UserStrongAuthClientAuthNRequired, debug=f"user {user.id}").with_suberror(
            "basic_action"
        )


class PasswordGrant:
    """Signs a user in with username and password, without a browser."""

    grant_type: ClassVar[str] = "password"
    parameters: ClassVar[frozenset[str]] = frozenset({"username", "password", "scope", "client_info"})

    def __init__(self, deps: PasswordGrantDeps) -> None:
        self._deps = deps

    def validate(self, request: TokenRequest, unit: StsUnit) -> PasswordDecision:
        """Endpoint, client, credential, parameters, password, tenant, scopes, assignment, consent."""
        ref = request.tenant
        if ref.alias in (TenantAlias.COMMON, TenantAlias.CONSUMERS):
            raise AadstsError.of(Aadsts.GrantTypeNotSupportedOnCommonEndpoint)
        authenticator = self._deps.client_authenticator
        caller = identify_client(authenticator, request, unit)
        acr, assertion = prove_client(
            authenticator, request, caller, unit, ref.tenant, public=caller.app.is_public_client
        )
        username, password = require(request.form, "username"), require(request.form, "password")
        scope = require(request.form, "scope")
        now = self._deps.clock.now()
        users = DeferredRehash(unit)
        tenant_id = ref.tenant.id if ref.tenant else None
        user = self._deps.passwords.authenticate(
            username, password, users, now, tenant_label(ref), client_ip=request.client_ip, tenant_id=tenant_id
        )
        check_password_current(user, unit.find_password_policy(user.tenant_id), now)
        tenant = sign_in_tenant(ref, user, unit)
        client = AuthenticatedClient(
            caller.app, authenticator.service_principal(caller.app, tenant, unit), acr, assertion
        )
        scopes = parse_user_scopes(scope, tenant, unit)
        check_user_assignment(client.service_principal, user, unit)
        scp = granted_scp(client, scopes, user, unit)
        grant = user_grant(SignIn(tenant, auth_time=now), client, user, scopes, scp, request)
        grant = with_conditional_access(grant, client, request, unit)  # its 50076 names the policies
        check_no_second_factor(user, unit)
        return PasswordDecision(request.base_url, client, grant, users.rehashed)

    def needs_write(self, decision: PasswordDecision) -> bool:
        """A refresh token, an assertion's jti or an upgraded password hash is stored."""
        grant = decision.grant
        return (
            grant.scopes.wants_refresh_token or decision.rehashed is not None or decision.client.assertion is not None
        )

    def issue(self, decision: PasswordDecision, unit: StsUnit) -> dict[str, Any]:
        """Store the upgraded hash, record the assertion, mint."""
        if decision.rehashed is not None:
            unit.update_user(decision.rehashed)
        self._deps.client_authenticator.record_assertion(decision.client, unit)
        return self._deps.user_tokens.issue(decision.grant, unit, decision.base_url)
