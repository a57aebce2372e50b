"""Minting the response of every user flow: access token, id_token, refresh token, client_info.

Authorization code, refresh token, password, device code and on-behalf-of all end here, so the
tokens of every flow carry the same claims (shared/docs/msal-compat.md §2.8, §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tenantry.apps.models import Application
from tenantry.common.clock import Clock
from tenantry.common.compact_json import compact_json
from tenantry.common.ids import b64url, jitter, new_guid
from tenantry.conditional_access.evaluation import NOTHING_APPLIES, Evaluation
from tenantry.directory.authorization import list_principal_roles
from tenantry.directory.models import Tenant, User
from tenantry.directory.roles import MEMBER_USER_TEMPLATE_ID
from tenantry.protocol.group_claims import group_claims
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.scopes import UserScopes
from tenantry.tokens.claims import IdTokenRequest, UserTokenRequest, id_token_claims, user_access_token_claims
from tenantry.tokens.mint import TokenMinter
from tenantry.tokens.models import RefreshToken
from tenantry.tokens.opaque import new_opaque_token, token_hash
from tenantry.tokens.subjects import PairwiseSubjects

ID_TOKEN_LIFETIME = 3600
REFRESH_INACTIVITY = timedelta(days=90)
SPA_REFRESH_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class UserGrant:
    """What was authorized, and the sign-in it stems from."""

    tenant: Tenant
    client_app: Application
    client_acr: str
    user: User
    scopes: UserScopes
    scp: tuple[str, ...]
    auth_time: datetime
    session_id: str | None = None
    nonce: str | None = None
    spa: bool = False
    family_id: str | None = None
    refresh_expires_at: datetime | None = None
    include_auth_time: bool = False
    client_info: bool = False
    auth_methods: tuple[str, ...] = ("pwd",)
    access: Evaluation = NOTHING_APPLIES  # conditional access's verdict, for the sign-in log


def client_info(user: User) -> str:
    """base64url JSON `{"uid": oid, "utid": tid}`: MSAL's home account id is `uid.utid`."""
    return b64url(compact_json({"uid": user.id, "utid": user.tenant_id}))


def user_roles(grant: UserGrant, unit: StsUnit) -> tuple[str, ...]:
    """Values of the resource's user-assignable roles held by the user directly or through a group."""
    resource = grant.scopes.resource
    principals = [grant.user.id, *unit.list_group_ids_of_member(grant.tenant.id, grant.user.id)]
    values = set()
    for principal in principals:
        for assignment in unit.list_assignments(grant.tenant.id, principal, resource.service_principal.id):
            role = resource.app.find_app_role(assignment.app_role_id)
            if role is not None and "User" in role.allowed_member_types:
                values.add(role.value)
    return tuple(sorted(values))


def directory_role_ids(grant: UserGrant, unit: StsUnit) -> tuple[str, ...]:
    """`wids`: template ids of the user's directory roles (assigned directly or to a role-assignable group
    it is a member of), then Entra's member-user template id, which every member user carries."""
    roles = list_principal_roles(unit, grant.tenant.id, grant.user.id)
    return (*(role.id for role in roles), MEMBER_USER_TEMPLATE_ID)


class UserTokenIssuer:
    """Mints and records; called from the second (writing) phase of a grant."""

    def __init__(
        self, minter: TokenMinter, subjects: PairwiseSubjects, clock: Clock, lifetimes: tuple[int, int]
    ) -> None:
        self._minter = minter
        self._subjects = subjects
        self._clock = clock
        self._lifetimes = lifetimes

    def _lifetime(self) -> int:
        low, high = self._lifetimes
        return jitter(low, high)

    def issue(self, grant: UserGrant, unit: StsUnit, base_url: str) -> dict[str, Any]:
        """The token response body; writes a refresh token when `offline_access` was asked for."""
        now = self._clock.now()
        lifetime = self._lifetime()
        body: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": grant.scopes.response_scope(),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": self._access_token(grant, unit, base_url, int(now.timestamp()), lifetime),
        }
        if grant.scopes.wants_refresh_token:
            body.update(self._refresh_token(grant, unit, now))
        if grant.scopes.wants_id_token:
            body["id_token"] = self._id_token(grant, unit, base_url, int(now.timestamp()))
        if grant.client_info:
            body["client_info"] = client_info(grant.user)
        return body

    def _access_token(self, grant: UserGrant, unit: StsUnit, base_url: str, now: int, lifetime: int) -> str:
        resource = grant.scopes.resource
        request = UserTokenRequest(
            base_url=base_url,
            tenant_id=grant.tenant.id,
            version=resource.version,
            audience=resource.audience,
            client_app_id=grant.client_app.app_id,
            client_acr=grant.client_acr,
            user=grant.user,
            subject=self._subjects.subject(grant.tenant.id, grant.user.id, resource.app.app_id),
            scopes=grant.scp,
            roles=user_roles(grant, unit),
            issued_at=now,
            lifetime=lifetime,
            session_id=grant.session_id,
            auth_methods=grant.auth_methods,
            wids=directory_role_ids(grant, unit),
            groups=group_claims(resource.app, grant.user, grant.tenant.id, unit, base_url),
        )
        return self._minter.sign(user_access_token_claims(request), version=resource.version)

    def _id_token(self, grant: UserGrant, unit: StsUnit, base_url: str, now: int) -> str:
        request = IdTokenRequest(
            base_url=base_url,
            tenant_id=grant.tenant.id,
            client_app_id=grant.client_app.app_id,
            user=grant.user,
            subject=self._subjects.subject(grant.tenant.id, grant.user.id, grant.client_app.app_id),
            issued_at=now,
            lifetime=ID_TOKEN_LIFETIME,
            nonce=grant.nonce,
            session_id=grant.session_id,
            auth_time=int(grant.auth_time.timestamp()) if grant.include_auth_time else None,
            include_email="email" in grant.scopes.oidc,
            include_profile="profile" in grant.scopes.oidc,
            groups=group_claims(grant.client_app, grant.user, grant.tenant.id, unit, base_url),
        )
        return self._minter.sign(id_token_claims(request), version=2)

    def _refresh_token(self, grant: UserGrant, unit: StsUnit, now: datetime) -> dict[str, Any]:
        value = new_opaque_token("rt.")
        if grant.spa:
            expires_at = grant.refresh_expires_at or now + SPA_REFRESH_LIFETIME
        else:
            expires_at = now + REFRESH_INACTIVITY
        unit.add_refresh_token(
            RefreshToken(
                token_hash=token_hash(value),
                family_id=grant.family_id or new_guid(),
                tenant_id=grant.tenant.id,
                client_id=grant.client_app.app_id,
                user_id=grant.user.id,
                scopes=grant.scopes.requested,
                created_at=now,
                expires_at=expires_at,
                auth_time=grant.auth_time,
                spa=grant.spa,
                session_id=grant.session_id,
            )
        )
        extra: dict[str, Any] = {"refresh_token": value}
        if grant.spa:
            extra["refresh_token_expires_in"] = max(0, int((expires_at - now).total_seconds()))
        return extra
