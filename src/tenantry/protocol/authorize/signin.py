"""Turning a signed-in user and a validated request into what a code needs: the sign-in tenant, the client's
service principal there, the scopes resolved in that tenant, the assignment check and the consent state.

Shared by the SSO path of /authorize and by the resume step, so both apply the same rules: 50020 (user of
another tenant), 700016 / 7000112 (client missing or disabled in the user's tenant), 50105 (assignment
required), and the scope errors of `parse_user_scopes` in the user's tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.apps.models import Application, ServicePrincipal
from tenantry.directory.models import Tenant, User
from tenantry.protocol.audience import awaits_provisioning
from tenantry.protocol.authorize.context import AuthorizeRequest
from tenantry.protocol.delegation import ConsentState, check_user_assignment, consent_state
from tenantry.protocol.deps import AuthorizeDeps
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.scopes import UserScopes, parse_user_scopes
from tenantry.protocol.tenancy import TenantRef
from tenantry.protocol.users import sign_in_tenant
from tenantry.sessions.flow import ConsentPrompt
from tenantry.sessions.models import SsoSession

OIDC_ORDER = ("openid", "profile", "email", "offline_access")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A user signed in to a request's client, with everything checked except consent."""

    user: User
    session: SsoSession
    tenant: Tenant
    client: Application
    client_sp: ServicePrincipal
    scopes: UserScopes
    consent: ConsentState

    @property
    def auth_time(self) -> datetime:
        """When the user last proved their password (OIDC `auth_time`)."""
        return self.session.auth_time


def client_in_tenant(
    client: Application, known: ServicePrincipal | None, tenant: Tenant, unit: StsUnit, deps: AuthorizeDeps
) -> ServicePrincipal:
    """The client's service principal in the sign-in tenant (700016 absent, 7000112 disabled)."""
    if known is not None and known.tenant_id == tenant.id:
        return known
    return deps.client_authenticator.service_principal(client, tenant, unit)


def client_for_admin_consent(
    client: Application, known: ServicePrincipal | None, tenant: Tenant, unit: StsUnit, deps: AuthorizeDeps
) -> None:
    """Admin consent's client check: as `client_in_tenant`, except that a multi-tenant app of another tenant
    with no service principal here yet may be consented to; the consent creates it (Entra's provisioning)."""
    if awaits_provisioning(client, tenant, unit):
        return
    client_in_tenant(client, known, tenant, unit, deps)


@dataclass(frozen=True, slots=True)
class ClientRequest:
    """The request side of a sign-in: tenant path, client (and its SP when already known), scope text."""

    tenant: TenantRef
    client: Application
    client_sp: ServicePrincipal | None
    scope: str

    @classmethod
    def of(cls, request: AuthorizeRequest) -> ClientRequest:
        """From a validated authorize request."""
        return cls(request.tenant, request.client, request.client_sp, request.params.get("scope", ""))


def complete_sign_in(
    request: ClientRequest, user: User, session: SsoSession, unit: StsUnit, deps: AuthorizeDeps
) -> SignedIn:
    """Apply the user-dependent checks; raises `AadstsError`."""
    tenant = sign_in_tenant(request.tenant, user, unit)
    sp = client_in_tenant(request.client, request.client_sp, tenant, unit, deps)
    scopes = parse_user_scopes(request.scope, tenant, unit)
    check_user_assignment(sp, user, unit)
    state = consent_state(request.client, sp, scopes, user, unit)
    return SignedIn(user, session, tenant, request.client, sp, scopes, state)


def _display(app: Application | None, value: str) -> str:
    scope = next((s for s in app.oauth2_permission_scopes if s.value == value), None) if app else None
    label = scope.user_consent_display_name if scope and scope.user_consent_display_name else value
    return f"{label} ({value})" if label != value else value


def consent_prompt(signed_in: SignedIn, unit: StsUnit, *, everything: bool) -> ConsentPrompt:
    """The user-consent page's content: the missing scopes (all wanted ones for prompt=consent), and what
    the OIDC scopes mean, worded by Microsoft Graph's scope descriptions."""
    resource = signed_in.scopes.resource
    values = signed_in.consent.wanted if everything else tuple(sorted(signed_in.consent.gap.missing))
    graph = unit.find_application_by_app_id(GRAPH_APP_ID)
    lines = [_display(graph, s) for s in OIDC_ORDER if s in signed_in.scopes.oidc]
    lines += [_display(resource.app, v) for v in values]
    return ConsentPrompt(
        tenant_id=signed_in.tenant.id,
        client_app_id=signed_in.client.app_id,
        client_name=signed_in.client.display_name,
        resource_app_id=resource.app.app_id,
        resource_name=resource.app.display_name,
        scopes=tuple(values),
        lines=tuple(lines),
    )


def admin_consent_prompt(client: Application, tenant: Tenant, unit: StsUnit) -> ConsentPrompt:
    """The admin-consent page's content: every permission the client statically requires, per resource."""
    lines: list[str] = []
    for entry in client.required_resource_access:
        resource = unit.find_application_by_app_id(entry.resource_app_id)
        if resource is None:
            continue
        for access in entry.resource_access:
            names = resource.oauth2_permission_scopes if access.type == "Scope" else resource.app_roles
            value = next((p.value for p in names if p.id == access.id), access.id)
            kind = "delegated" if access.type == "Scope" else "application"
            lines.append(f"{resource.display_name}: {value} ({kind})")
    return ConsentPrompt(
        tenant_id=tenant.id,
        client_app_id=client.app_id,
        client_name=client.display_name,
        resource_app_id="",
        resource_name="",
        scopes=(),
        lines=tuple(lines),
        admin=True,
    )
