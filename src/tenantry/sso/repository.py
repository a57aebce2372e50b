"""Storage interface for the seamless SSO keys; `store/sql/seamless_sso.py` implements it."""

from __future__ import annotations

from typing import Protocol

from tenantry.directory.models import User
from tenantry.sso.models import SsoKey


class SeamlessSsoReader(Protocol):
    """What home-realm discovery needs: whether a tenant has seamless SSO at all."""

    def list_sso_keys(self, tenant_id: str) -> list[SsoKey]:
        """Every key of the tenant, newest key version first."""
        ...


class SeamlessSsoRepository(SeamlessSsoReader, Protocol):
    """The keys of each tenant's realms, always read and written for one tenant."""

    def replace_sso_keys(self, tenant_id: str, realm: str, keys: list[SsoKey]) -> None:
        """Make `keys` the realm's whole key set (an import with rollover computes it)."""
        ...

    def delete_sso_keys(self, tenant_id: str, realm: str | None) -> int:
        """Forget one realm's keys, or all the tenant's (`realm` None); returns how many keys went."""
        ...

    def find_user_by_kerberos_principal(self, tenant_id: str, principal: str) -> User | None:
        """The tenant's user whose `onPremisesUserPrincipalName` is `principal` (case-insensitive), else whose
        `onPremisesSamAccountName` is the principal's name before the `@`."""
        ...
