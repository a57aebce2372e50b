"""`SqlUnit` whose hot, read-mostly lookups come from the `ReadCache`; a connection opens only on a miss
or for anything else (writes included)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping

from sqlalchemy import Connection

from tenantry.apps.models import Application, AppRoleAssignment, ServicePrincipal
from tenantry.conditional_access.models import ConditionalAccessPolicy, NamedLocation
from tenantry.credentials.models import KeyCredential, PasswordCredential
from tenantry.directory.models import Tenant
from tenantry.store.cache import ReadCache
from tenantry.store.sql.base import NO_ALIASES
from tenantry.store.sql.unit import SqlUnit


class CachedSqlUnit(SqlUnit):
    """Reads through the cache at the generation seen when the unit was opened."""

    def __init__(
        self,
        opener: Callable[[], Connection],
        cache: ReadCache,
        generation: Hashable,
        uri_aliases: Mapping[str, str] = NO_ALIASES,
    ) -> None:
        super().__init__(opener, uri_aliases)
        self._cache = cache
        self._generation = generation

    def find_tenant(self, tenant_id: str) -> Tenant | None:
        """Cached `TenantRepository.find_tenant`."""
        return self._cache.get(
            self._generation, ("tenant", tenant_id), lambda: super(CachedSqlUnit, self).find_tenant(tenant_id)
        )

    def find_tenant_by_domain(self, domain: str) -> Tenant | None:
        """Cached `TenantRepository.find_tenant_by_domain`."""
        return self._cache.get(
            self._generation, ("domain", domain), lambda: super(CachedSqlUnit, self).find_tenant_by_domain(domain)
        )

    def find_application_by_app_id(self, app_id: str) -> Application | None:
        """Cached `ApplicationReader.find_application_by_app_id`."""
        return self._cache.get(
            self._generation, ("app", app_id), lambda: super(CachedSqlUnit, self).find_application_by_app_id(app_id)
        )

    def find_application_by_identifier_uri(self, tenant_id: str, uri: str) -> Application | None:
        """Cached `ApplicationReader.find_application_by_identifier_uri`."""
        return self._cache.get(
            self._generation,
            ("app-uri", tenant_id, uri),
            lambda: super(CachedSqlUnit, self).find_application_by_identifier_uri(tenant_id, uri),
        )

    def find_service_principal_by_app_id(self, tenant_id: str, app_id: str) -> ServicePrincipal | None:
        """Cached `ServicePrincipalReader.find_service_principal_by_app_id`."""
        return self._cache.get(
            self._generation,
            ("sp", tenant_id, app_id),
            lambda: super(CachedSqlUnit, self).find_service_principal_by_app_id(tenant_id, app_id),
        )

    def list_assignments(self, tenant_id: str, principal_id: str, resource_id: str) -> list[AppRoleAssignment]:
        """Cached `AssignmentReader.list_assignments` (a fresh list each time)."""
        found = self._cache.get(
            self._generation,
            ("assignments", tenant_id, principal_id, resource_id),
            lambda: tuple(super(CachedSqlUnit, self).list_assignments(tenant_id, principal_id, resource_id)),
        )
        return list(found)

    def list_password_credentials(self, tenant_id: str, application_id: str) -> list[PasswordCredential]:
        """Cached `CredentialReader.list_password_credentials` (hashes only, as stored)."""
        found = self._cache.get(
            self._generation,
            ("secrets", tenant_id, application_id),
            lambda: tuple(super(CachedSqlUnit, self).list_password_credentials(tenant_id, application_id)),
        )
        return list(found)

    def list_key_credentials(self, tenant_id: str, application_id: str) -> list[KeyCredential]:
        """Cached `CredentialReader.list_key_credentials`."""
        found = self._cache.get(
            self._generation,
            ("certificates", tenant_id, application_id),
            lambda: tuple(super(CachedSqlUnit, self).list_key_credentials(tenant_id, application_id)),
        )
        return list(found)

    def list_ca_policies(self, tenant_id: str) -> list[ConditionalAccessPolicy]:
        """Cached `ConditionalAccessRepository.list_ca_policies`: every user sign-in evaluates them, and they
        change rarely (any write empties the cache, so a new policy applies from the next request)."""
        found = self._cache.get(
            self._generation,
            ("ca-policies", tenant_id),
            lambda: tuple(super(CachedSqlUnit, self).list_ca_policies(tenant_id)),
        )
        return list(found)

    def list_named_locations(self, tenant_id: str) -> list[NamedLocation]:
        """Cached `ConditionalAccessRepository.list_named_locations` (read with the policies at every sign-in)."""
        found = self._cache.get(
            self._generation,
            ("named-locations", tenant_id),
            lambda: tuple(super(CachedSqlUnit, self).list_named_locations(tenant_id)),
        )
        return list(found)
