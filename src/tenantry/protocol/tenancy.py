"""The one place that resolves the `{tenant}` path segment (style P9).

A tenant GUID or verified domain names one tenant; `common`, `organizations` and `consumers` are
aliases that defer the tenant to the user or credential (entra-reference §1.2, §1.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from tenantry.apps.first_party import SYSTEM_TENANT_ID
from tenantry.common.ids import is_guid
from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError

# Microsoft's fixed tenant id for personal accounts; `consumers` issues tokens under it.
CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
_DOMAIN_SEGMENT = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"
)


class TenantAlias(StrEnum):
    """The multi-tenant endpoint names."""

    COMMON = "common"
    ORGANIZATIONS = "organizations"
    CONSUMERS = "consumers"


class TenantFinder(Protocol):
    """The two lookups tenancy needs."""

    def find_tenant(self, tenant_id: str) -> Tenant | None:
        """By GUID."""
        ...

    def find_tenant_by_domain(self, domain: str) -> Tenant | None:
        """By verified domain."""
        ...


@dataclass(frozen=True, slots=True)
class TenantRef:
    """What the path named: exactly one of a concrete tenant or an alias, plus the raw segment."""

    segment: str
    tenant: Tenant | None = None
    alias: TenantAlias | None = None

    @property
    def path_segment(self) -> str:
        """The segment endpoints in discovery use: the tenant GUID, or the alias."""
        return self.tenant.id if self.tenant else str(self.alias)

    def require_tenant(self) -> Tenant:
        """Grants that need a concrete tenant (client credentials) refuse the aliases: AADSTS9001023."""
        if self.tenant is None:
            raise AadstsError.of(Aadsts.GrantTypeNotSupportedOnCommonEndpoint)
        return self.tenant


_ALIASES = {alias.value: alias for alias in TenantAlias}


def parse_alias(segment: str) -> TenantAlias | None:
    """The alias named by `segment`, case-insensitively."""
    return _ALIASES.get(segment.lower())


def resolve_tenant(segment: str, finder: TenantFinder) -> TenantRef:
    """Resolve a path segment: alias, GUID or domain; anything else, or an unknown one, is AADSTS90002."""
    alias = parse_alias(segment)
    if alias is not None:
        return TenantRef(segment, alias=alias)
    lowered = segment.lower()
    if is_guid(lowered):
        tenant, debug = finder.find_tenant(lowered), "no tenant has this id"
    elif _DOMAIN_SEGMENT.fullmatch(lowered):
        tenant, debug = finder.find_tenant_by_domain(lowered), "no tenant has verified this domain"
    else:
        tenant, debug = None, "the tenant segment is neither a GUID, a domain nor an alias"
    if tenant is None or tenant.id == SYSTEM_TENANT_ID:
        raise AadstsError.of(Aadsts.InvalidTenantName, tenant=segment, debug=debug)
    return TenantRef(segment, tenant=tenant)
