"""Storage SSPR needs; `store/sql/sspr.py` implements it. Methods themselves (e-mail, authenticator app,
security questions) live in `user_auth_methods` behind `AuthMethodRepository` (sessions/mfa.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tenantry.audit.repository import AuditRepository
from tenantry.directory.repository import GroupRepository, RoleAssignmentReader, TenantRepository, UserRepository
from tenantry.passwords.repository import PasswordPolicyRepository
from tenantry.sessions.mfa import AuthMethodRepository
from tenantry.sessions.repository import SessionRepository
from tenantry.sessions.sspr.models import Registration, ResetFlow, ResetStep, SsprPolicy


class SsprPolicyRepository(Protocol):
    """One SSPR settings row per tenant; absent means the defaults (off)."""

    def find_sspr_policy(self, tenant_id: str) -> SsprPolicy | None:
        """The settings the tenant stored, if any."""
        ...

    def save_sspr_policy(self, policy: SsprPolicy) -> None:
        """Insert or replace the tenant's settings."""
        ...


class ResetFlowRepository(Protocol):
    """Resets in progress, by the hash of their handle."""

    def add_reset_flow(self, flow: ResetFlow) -> None:
        """Insert."""
        ...

    def find_reset_flow(self, handle_hash: bytes) -> ResetFlow | None:
        """The flow, expired or not (the caller decides)."""
        ...

    def update_reset_flow_if(self, flow: ResetFlow, expected: ResetStep, attempts: int) -> bool:
        """Store `flow` only while the stored one is still at `expected` with `attempts` wrong codes: of two
        requests that read the same flow, one wins, so a code or a reset cannot be used twice."""
        ...

    def purge_reset_flows(self, expired_before: datetime) -> None:
        """Delete flows that expired before this instant."""
        ...


class RateCounterRepository(Protocol):
    """Fixed-window counters (per user, per address) shared by every server process."""

    def count_attempt(self, key: bytes, now: datetime, window_seconds: int) -> int:
        """Add one to the key's counter (starting a new window when the old one ended); the new count."""
        ...


class RegistrationRepository(Protocol):
    """Per-user registration state for the interrupt."""

    def find_sspr_registration(self, tenant_id: str, user_id: str) -> Registration | None:
        """The user's state, if any was stored."""
        ...

    def save_sspr_registration(self, registration: Registration) -> None:
        """Insert or replace."""
        ...


class SsprUnit(
    SsprPolicyRepository,
    ResetFlowRepository,
    RateCounterRepository,
    RegistrationRepository,
    AuthMethodRepository,
    UserRepository,
    GroupRepository,
    RoleAssignmentReader,
    TenantRepository,
    PasswordPolicyRepository,
    AuditRepository,
    SessionRepository,
    Protocol,
):
    """Everything one SSPR transaction reads or writes (sessions: the security info page's signed-in user)."""
