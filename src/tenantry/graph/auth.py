"""Bearer authentication for the Graph API: access tokens this server issued for Microsoft Graph.

A token is accepted when it verifies against our published keys and an issuer of ours, under the public
URL whatever host the request used (`tokens/verify.py`), and its `aud` is Graph
(`00000003-0000-0000-c000-000000000000`, `https://graph.microsoft.com`, or the public URL itself, which is
where az sends Graph calls and so the resource it asks tokens for: `identifier_uris.public_url_aliases`).
The caller is the user of a delegated token (`oid`, with `scp`) or the client's service principal of an
app-only token (`oid`, with `roles`); the tenant is `tid`. Anything else is 401 `InvalidAuthenticationToken` with
`WWW-Authenticate: Bearer`, as Graph answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import Request

from tenantry.apps.first_party import GRAPH_APP_ID, GRAPH_URI
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.common.transparent import graph_base_url
from tenantry.directory.authorization import Caller, CallerRights
from tenantry.errors import AadstsError
from tenantry.graph.deps import GraphDeps, graph_deps
from tenantry.graph.errors import unauthenticated
from tenantry.graph.listing import collection, entity
from tenantry.graph.odata import FieldSpec
from tenantry.graph.responses import GraphJson, request_ids
from tenantry.tokens.verify import VerifiedAccessToken, verify_access_token

Record = Mapping[str, Any]
GRAPH_AUDIENCES = frozenset({GRAPH_APP_ID, GRAPH_URI, "https://canary.graph.microsoft.com"})


@dataclass(frozen=True, slots=True)
class GraphCaller:
    """The authenticated caller of one request, with what the audit log says about it."""

    caller: Caller
    actor: Actor
    client_app_id: str

    @property
    def tenant_id(self) -> str:
        """The token's `tid`: every object the request touches lives in this tenant."""
        return self.caller.tenant_id


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), else None."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def is_graph_audience(aud: str, public_url: str) -> bool:
    """Whether a token's `aud` names Microsoft Graph: one of its well-known ids, or our public URL (case and
    trailing slashes aside)."""
    key = aud.rstrip("/").lower()
    return key in GRAPH_AUDIENCES or key == public_url.rstrip("/").lower()


def _verify(deps: GraphDeps, token: str, base_url: str) -> VerifiedAccessToken:
    try:
        verified = verify_access_token(token, deps.published_keys(), base_url, deps.clock.now(), deps.clock_skew)
    except AadstsError as err:
        raise unauthenticated(f"Access token validation failure. {err.message}") from err
    if not any(is_graph_audience(aud, base_url) for aud in verified.audiences):
        raise unauthenticated("Access token validation failure. Invalid audience.")
    return verified


def authenticate(deps: GraphDeps, authorization: str | None, base_url: str) -> GraphCaller:
    """The caller of a request, or `GraphError` 401."""
    token = bearer_token(authorization)
    if token is None:
        raise unauthenticated("Access token is empty.")
    verified = _verify(deps, token, base_url)
    tenant_id = verified.tenant_id
    principal = deps.roles.find_principal(tenant_id, verified.user_id)
    if verified.is_user_token:
        if principal is None or principal.type != "User":
            raise unauthenticated("Access token validation failure. The user of the token does not exist.")
        caller = Caller(tenant_id, principal.id, is_app=False, permissions=frozenset(verified.scopes))
        actor = Actor("user", principal.id, principal.user_principal_name or principal.display_name)
        return GraphCaller(caller, actor, verified.client_id)
    if principal is None or principal.type != "ServicePrincipal":
        raise unauthenticated("Access token validation failure. The client of the token has no service principal.")
    roles = verified.claims.get("roles")
    permissions = frozenset(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else frozenset()
    caller = Caller(tenant_id, principal.id, is_app=True, permissions=permissions)
    actor = Actor("app", principal.app_id or verified.client_id, principal.display_name)
    return GraphCaller(caller, actor, verified.client_id)


bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="An access token Tenantry issued for Microsoft Graph (scope `https://graph.microsoft.com/.default`).",
)
Deps = Annotated[GraphDeps, Depends(graph_deps)]


def current_caller(
    request: Request, deps: Deps, _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> GraphCaller:
    """FastAPI dependency: authenticate once per request (the result is kept on the request)."""
    found = getattr(request.state, "graph_caller", None)
    if isinstance(found, GraphCaller):
        return found
    caller = authenticate(deps, request.headers.get("authorization"), deps.public_url)
    request.state.graph_caller = caller
    request_ids(request).parties.note(
        tenant_id=caller.tenant_id, client_id=caller.client_app_id, principal=caller.caller.object_id
    )
    return caller


CallerDep = Annotated[GraphCaller, Depends(current_caller)]


def current_rights(caller: CallerDep, deps: Deps) -> CallerRights:
    """FastAPI dependency: the caller's roles and owned applications, loaded once per request."""
    return deps.authorizer.rights_for(caller.caller)


def audit_context(request: Request, caller: CallerDep, deps: Deps) -> AuditContext:
    """Who the audit log names, stamped with the request's `client-request-id` as correlation id."""
    return AuditContext(caller.actor, deps.clock.now(), request_ids(request).correlation_id)


RightsDep = Annotated[CallerRights, Depends(current_rights)]
AuditDep = Annotated[AuditContext, Depends(audit_context)]


@dataclass(frozen=True, slots=True)
class Call:
    """Everything a route needs about one request: services, caller, rights and audit context."""

    request: Request
    deps: GraphDeps
    caller: GraphCaller
    rights: CallerRights
    audit: AuditContext

    @property
    def tenant_id(self) -> str:
        """The caller's tenant."""
        return self.caller.tenant_id

    @property
    def base_url(self) -> str:
        """Graph's public base, for `@odata.context`, next links and `Location`: the public URL, or
        `graph.microsoft.com` in transparent mode."""
        return graph_base_url(self.deps.public_url)

    def page(
        self,
        records: Sequence[Mapping[str, Any]],
        fields: Mapping[str, FieldSpec],
        path: str,
        fragment: str | None = None,
    ) -> GraphJson:
        """A collection answer: the request's OData options applied to `records` (see `listing.collection`)."""
        return GraphJson(
            collection(self.request, records, fields, base_url=self.base_url, path=path, fragment=fragment)
        )

    def one(self, record: Record, fields: Mapping[str, FieldSpec], fragment: str) -> GraphJson:
        """A single-resource answer with `$select` honoured (see `listing.entity`)."""
        return GraphJson(entity(self.request, record, fields, base_url=self.base_url, fragment=fragment))


def current_call(request: Request, deps: Deps, caller: CallerDep, rights: RightsDep, audit: AuditDep) -> Call:
    """FastAPI dependency bundling the per-request pieces."""
    return Call(request, deps, caller, rights, audit)


CallDep = Annotated[Call, Depends(current_call)]
