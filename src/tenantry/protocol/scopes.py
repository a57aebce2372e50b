"""Scopes of user flows (entra-reference §2.4): OIDC scopes plus the permissions of one resource.

`api://orders/Orders.Read` names a delegated permission of the app whose App ID URI is `api://orders`;
a bare value (`User.Read`) means Microsoft Graph; `{resource}/.default` means every permission the
client statically requires on that resource. One request names one resource (AADSTS700022).
"""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.apps.first_party import GRAPH_URI, OIDC_SCOPES
from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.resources import ResolvedResource, resolve_resource

OIDC = frozenset(OIDC_SCOPES)


@dataclass(frozen=True, slots=True)
class UserScopes:
    """A parsed scope parameter: the OIDC scopes, the resource, and its permission values."""

    requested: tuple[str, ...]
    oidc: frozenset[str]
    resource: ResolvedResource
    values: tuple[str, ...]
    is_default: bool

    @property
    def wants_refresh_token(self) -> bool:
        """`offline_access` asks for a refresh token (v2)."""
        return "offline_access" in self.oidc

    @property
    def wants_id_token(self) -> bool:
        """`openid` asks for an id_token."""
        return "openid" in self.oidc

    def response_scope(self) -> str:
        """The `scope` of the token response: what was asked, literally (MSAL's cache keys on it)."""
        return " ".join(self.requested)


def _split(item: str) -> tuple[str, str]:
    """(resource identifier, value); a bare value belongs to Microsoft Graph."""
    if "/" not in item:
        return GRAPH_URI, item
    resource, _, value = item.rpartition("/")
    if not resource or not value:
        raise AadstsError.of(Aadsts.InvalidScope, scope=item)
    return resource, value


def _group(items: list[str]) -> tuple[str | None, list[str]]:
    resources: dict[str, list[str]] = {}
    for item in items:
        resource, value = _split(item)
        resources.setdefault(resource.rstrip("/").lower(), []).append(value)
    if len(resources) > 1:
        raise AadstsError.of(Aadsts.InvalidMultipleResourcesScope)
    if not resources:
        return None, []
    identifier = next(iter(resources))
    original = next(i for i in items if _split(i)[0].rstrip("/").lower() == identifier)
    return _split(original)[0], resources[identifier]


def _check_values(resource: ResolvedResource, values: list[str]) -> tuple[tuple[str, ...], bool]:
    is_default = ".default" in values
    if is_default and len(values) > 1:
        raise AadstsError.of(
            Aadsts.InvalidScope, scope=" ".join(values), hint="'.default' cannot be combined with other scopes."
        )
    if is_default:
        return (), True
    known = {s.value for s in resource.app.oauth2_permission_scopes if s.is_enabled}
    for value in values:
        if value not in known:
            debug = f"resource app {resource.app.app_id} exposes no enabled delegated permission of that name"
            raise AadstsError.of(Aadsts.InvalidScope, scope=value, debug=debug)
    return tuple(dict.fromkeys(values)), False


def parse_user_scopes(scope: str | None, tenant: Tenant, unit: StsUnit) -> UserScopes:
    """Split and resolve a user flow's scopes; only OIDC scopes mean a Graph token with no permissions."""
    requested = tuple(dict.fromkeys((scope or "").split()))
    if not requested:
        raise AadstsError.of(Aadsts.MissingRequestParameter, parameter="scope")
    oidc = frozenset(s for s in requested if s in OIDC)
    identifier, values = _group([s for s in requested if s not in OIDC])
    resource = resolve_resource(identifier or GRAPH_URI, tenant, unit)
    checked, is_default = _check_values(resource, values)
    return UserScopes(requested, oidc, resource, checked, is_default)
