"""Storage the password policy needs; `store/sql/password_policies.py` implements it."""

from __future__ import annotations

from typing import Protocol

from tenantry.directory.models import PasswordPolicy


class PasswordPolicyRepository(Protocol):
    """One password policy per tenant (validity, custom banned terms); absent means Entra's defaults."""

    def find_password_policy(self, tenant_id: str) -> PasswordPolicy | None:
        """The policy the tenant stored, if it ever set one."""
        ...

    def save_password_policy(self, policy: PasswordPolicy) -> None:
        """Insert or replace the tenant's policy."""
        ...
