"""Storage the password policy and smart lockout need; `store/sql/password_policies.py`, `store/sql/lockout.py`
and `store/redis_lockout.py` implement it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tenantry.directory.models import PasswordPolicy
from tenantry.passwords.models import LockoutChange, LockoutKey, LockoutPolicy, LockoutState


class PasswordPolicyRepository(Protocol):
    """One password policy per tenant (validity, custom banned terms); absent means Entra's defaults."""

    def find_password_policy(self, tenant_id: str) -> PasswordPolicy | None:
        """The policy the tenant stored, if it ever set one."""
        ...

    def save_password_policy(self, policy: PasswordPolicy) -> None:
        """Insert or replace the tenant's policy."""
        ...


class LockoutPolicyRepository(Protocol):
    """A tenant's smart lockout settings (threshold, duration, blocked ranges); absent means Entra's defaults."""

    def find_lockout_policy(self, tenant_id: str) -> LockoutPolicy | None:
        """The settings the tenant stored, if it ever set any."""
        ...

    def save_lockout_policy(self, policy: LockoutPolicy) -> None:
        """Insert or replace the tenant's settings."""
        ...


class LockoutStateStore(Protocol):
    """Smart lockout's shared state: per (tenant, user, location) counters and each user's familiar addresses.

    Implemented in the database (`store/sql/lockout.py`) and in Redis (`store/redis_lockout.py`). Every
    server process must see the same state, and `record_failure` must be atomic across processes, so that
    two of them never count one attempt twice nor lose one."""

    def locate(self, tenant_id: str, user_id: str, address: str) -> tuple[LockoutKey, LockoutState | None]:
        """The location `address` falls in for the user (the address itself when the user has signed in
        from it before, else `UNFAMILIAR`) and that location's state, if it has one."""
        ...

    def record_failure(self, key: LockoutKey, fingerprint: str, now: datetime, policy: LockoutPolicy) -> LockoutChange:
        """Apply `after_failure` to the location's state atomically; returns the states before and after."""
        ...

    def record_success(self, key: LockoutKey, address: str) -> None:
        """Forget the location's failures and remember `address` as familiar to the user."""
        ...

    def clear(self, tenant_id: str, user_id: str, now: datetime) -> bool:
        """Forget the failures of every location of the user (an admin unlock); whether one was locked."""
        ...
