"""The token endpoint's sign-in log entries, built on the sign-in log's writer thread, never on the request.

The endpoint queues what it already holds (the validated decision, or the error and the claimed names, and
the request's context); `TokenSignIns` turns that into a `SignInEntry` later. An entry's id is the request's
trace id (`x-ms-request-id`), as Entra's sign-in "Request ID" is. A user grant is a non-interactive
user sign-in, client credentials a service-principal sign-in; a refusal names the tenant, app and user the
request claimed (the tenant resolved here, off the request path), and a request naming no known tenant is
not logged (no tenant could list it). Device-code polls that are still pending are not sign-ins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tenantry.common.context import RequestContext
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.access import evaluation_of, logged_policies
from tenantry.protocol.client_auth import AuthenticatedClient
from tenantry.protocol.grants.client_credentials import ClientCredentialsDecision
from tenantry.protocol.ports import StsStore
from tenantry.protocol.resources import ResolvedResource
from tenantry.protocol.tenancy import resolve_tenant
from tenantry.protocol.user_tokens import UserGrant
from tenantry.signins.models import ClientApp, EventType, SignInEntry
from tenantry.signins.service import SignInLog

# Answers to polls and retries, not refused sign-ins.
NOT_SIGN_INS = frozenset({Aadsts.AuthorizationPending})


@dataclass(frozen=True, slots=True)
class Claimed:
    """What a refused request named: the path's tenant, `client_id`, `username` (ROPC) and `grant_type`."""

    tenant: str | None
    client_id: str | None
    username: str | None
    grant_type: str | None


def claimed(segment: str | None, form: Mapping[str, str] | None, client_id: str | None) -> Claimed:
    """The names a refused request carried (the form may be missing when the body itself was refused)."""
    form = form or {}
    return Claimed(segment, client_id, form.get("username"), form.get("grant_type"))


def _resource(resource: ResolvedResource) -> tuple[str, str]:
    return resource.app.app_id, resource.app.display_name


def _service_principal_entry(decision: ClientCredentialsDecision, ctx: RequestContext) -> SignInEntry:
    resource_id, resource_name = _resource(decision.resource)
    sp = decision.client.service_principal
    return SignInEntry(
        id=ctx.trace_id,
        created_at=ctx.received_at,
        tenant_id=decision.tenant.id,
        event_type=EventType.SERVICE_PRINCIPAL,
        app_id=decision.client.app.app_id,
        app_display_name=decision.client.app.display_name,
        resource_id=resource_id,
        resource_display_name=resource_name,
        service_principal_id=sp.id,
        service_principal_name=sp.display_name,
        ip_address=ctx.client_ip,
        correlation_id=ctx.correlation_id,
    )


def _user_entry(client: AuthenticatedClient, grant: UserGrant, ctx: RequestContext) -> SignInEntry:
    resource_id, resource_name = _resource(grant.scopes.resource)
    return SignInEntry(
        id=ctx.trace_id,
        created_at=ctx.received_at,
        tenant_id=grant.tenant.id,
        event_type=EventType.NON_INTERACTIVE_USER,
        user_id=grant.user.id,
        user_principal_name=grant.user.user_principal_name,
        user_display_name=grant.user.display_name,
        app_id=client.app.app_id,
        app_display_name=client.app.display_name,
        resource_id=resource_id,
        resource_display_name=resource_name,
        ip_address=ctx.client_ip,
        correlation_id=ctx.correlation_id,
        authentication_requirement=(
            "multiFactorAuthentication" if "mfa" in grant.auth_methods else "singleFactorAuthentication"
        ),
        conditional_access_status=grant.access.status,
        applied_conditional_access_policies=logged_policies(grant.access),
    )


def _event_type(who: Claimed) -> EventType:
    if who.grant_type == "client_credentials":
        return EventType.SERVICE_PRINCIPAL
    return EventType.NON_INTERACTIVE_USER


class TokenSignIns:
    """Queues the token endpoint's sign-ins on the log; builds their entries on its writer thread."""

    def __init__(self, log: SignInLog, store: StsStore) -> None:
        self._log = log
        self._store = store

    def succeeded(self, decision: object, ctx: RequestContext) -> None:
        """Queue a successful grant (one tuple on a deque: the client-credentials hot path stays cheap)."""
        self._log.record_later(self.success_entry, decision, ctx)

    def failed(self, error: AadstsError, who: Claimed, ctx: RequestContext) -> None:
        """Queue a refused request."""
        if error.code not in NOT_SIGN_INS:
            self._log.record_later(self.failure_entry, error, who, ctx)

    @staticmethod
    def success_entry(decision: object, ctx: RequestContext) -> SignInEntry | None:
        """Client credentials → a service-principal sign-in; a user grant → a non-interactive user sign-in."""
        if isinstance(decision, ClientCredentialsDecision):
            return _service_principal_entry(decision, ctx)
        client, grant = getattr(decision, "client", None), getattr(decision, "grant", None)
        if isinstance(client, AuthenticatedClient) and isinstance(grant, UserGrant):
            return _user_entry(client, grant, ctx)
        return None

    def failure_entry(self, error: AadstsError, who: Claimed, ctx: RequestContext) -> SignInEntry | None:
        """The refusal, under the tenant the path named (or the user's, on /organizations)."""
        with self._store.reader() as unit:
            try:
                tenant = resolve_tenant(who.tenant, unit).tenant if who.tenant else None
            except AadstsError:
                tenant = None
            user = unit.find_user_by_upn(who.username.lower()) if who.username else None
            app = unit.find_application_by_app_id(who.client_id.lower()) if who.client_id else None
        tenant_id = tenant.id if tenant is not None else (user.tenant_id if user is not None else None)
        if tenant_id is None:
            return None
        user = user if user is not None and user.tenant_id == tenant_id else None
        return SignInEntry(
            id=ctx.trace_id,
            created_at=ctx.received_at,
            tenant_id=tenant_id,
            event_type=(
                EventType.SERVICE_PRINCIPAL
                if who.grant_type == "client_credentials"
                else EventType.NON_INTERACTIVE_USER
            ),
            status_error_code=error.code,
            failure_reason=error.message,
            user_id=user.id if user else "",
            user_principal_name=user.user_principal_name if user else (who.username or ""),
            user_display_name=user.display_name if user else "",
            app_id=who.client_id or "",
            app_display_name=app.display_name if app else "",
            ip_address=ctx.client_ip,
            client_app_used=ClientApp.MODERN,
            correlation_id=ctx.correlation_id,
            conditional_access_status=evaluation_of(error).status,
            applied_conditional_access_policies=logged_policies(evaluation_of(error)),
        )
