"""Directory operations used by the CLI, the Graph API and the demo set-up."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Generic, TypeVar

from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant
from tenantry.directory.repository import DomainTakenError, TenantRepository

__all__ = ["DirectoryService", "DomainTakenError", "InvalidDomainError", "normalise_domain"]

_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
RESERVED_TENANT_NAMES = frozenset({"common", "organizations", "consumers"})
Unit = TypeVar("Unit", bound=TenantRepository)


class InvalidDomainError(ValueError):
    """A domain that is not a DNS name we can route by."""


def normalise_domain(domain: str) -> str:
    """Lower-case and validate a DNS domain name (the `{tenant}` path segment may carry it)."""
    value = domain.strip().lower().rstrip(".")
    if not _DOMAIN.fullmatch(value) or value in RESERVED_TENANT_NAMES:
        raise InvalidDomainError(f"'{domain}' is not a valid domain name")
    return value


class DirectoryService(Generic[Unit]):
    """Creates and lists tenants; each call runs in its own transaction.

    `on_tenant_created` runs inside the creating transaction: the composition root uses it to give the
    new tenant its first-party service principals (the directory layer knows nothing of apps).
    """

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[Unit]],
        clock: Clock,
        on_tenant_created: Callable[[Unit, Tenant], None] | None = None,
        hidden_tenant_ids: frozenset[str] = frozenset(),
    ) -> None:
        self._transaction = transaction
        self._clock = clock
        self._on_tenant_created = on_tenant_created
        self._hidden = hidden_tenant_ids

    def create_tenant(self, display_name: str, domains: list[str], tenant_id: str | None = None) -> Tenant:
        """Create a tenant owning `domains` (the first is its initial domain)."""
        if not domains:
            raise InvalidDomainError("a tenant needs at least one domain")
        normalised = tuple(dict.fromkeys(normalise_domain(d) for d in domains))
        tenant = Tenant(tenant_id or new_guid(), display_name.strip() or normalised[0], normalised, self._clock.now())
        with self._transaction() as repo:
            for domain in normalised:
                if repo.find_tenant_by_domain(domain) is not None:
                    raise DomainTakenError(f"domain '{domain}' already belongs to another tenant")
            repo.add_tenant(tenant)
            if self._on_tenant_created is not None:
                self._on_tenant_created(repo, tenant)
        return tenant

    def list_tenants(self) -> list[Tenant]:
        """All tenants."""
        with self._transaction() as repo:
            return [t for t in repo.list_tenants() if t.id not in self._hidden]

    def find_tenant(self, id_or_domain: str) -> Tenant | None:
        """A tenant by GUID or verified domain, as the `{tenant}` path segment names it."""
        with self._transaction() as repo:
            found = repo.find_tenant(id_or_domain.lower()) or repo.find_tenant_by_domain(id_or_domain.lower())
        return found if found is None or found.id not in self._hidden else None
