"""Storage interfaces for SSO sessions and sign-in flows; `store/sql/sessions.py` and `store/sql/flows.py`
implement them. `SignInUnit` is everything the sign-in pages read and write in one transaction.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from tenantry.apps.repository import (
    ApplicationReader,
    AssignmentRepository,
    PermissionGrantRepository,
    ServicePrincipalRepository,
)
from tenantry.audit.repository import AuditRepository
from tenantry.directory.repository import GroupRepository, RoleAssignmentReader, TenantRepository, UserRepository
from tenantry.passwords.repository import PasswordPolicyRepository
from tenantry.sessions.flow import FlowState, SignInFlow
from tenantry.sessions.mfa import AuthMethodRepository
from tenantry.sessions.models import SsoSession
from tenantry.tokens.repository import TokenRecordRepository


class SessionRepository(Protocol):
    """SSO sessions, found by the hash of the cookie token."""

    def add_session(self, session: SsoSession, token_hash: bytes) -> None:
        """Insert a new session."""
        ...

    def find_session(self, token_hash: bytes) -> SsoSession | None:
        """The session a cookie token names."""
        ...

    def find_session_by_id(self, session_id: str) -> SsoSession | None:
        """The session with this id (its `auth_methods` follow codes and refresh tokens)."""
        ...

    def touch_session(self, session_id: str, when: datetime, *, persistent: bool | None = None) -> None:
        """Slide the inactivity window (and record "Stay signed in?" when answered)."""
        ...

    def revoke_session(self, session_id: str, when: datetime) -> None:
        """End one session (sign-out)."""
        ...


class FlowRepository(Protocol):
    """Sign-in flows, found by the hash of their opaque handle (the handle itself is never stored)."""

    def add_flow(self, flow: SignInFlow) -> None:
        """Insert a new flow."""
        ...

    def find_flow(self, handle_hash: bytes) -> SignInFlow | None:
        """The flow with this handle hash, expired or not (the caller decides)."""
        ...

    def update_flow(self, flow: SignInFlow) -> None:
        """Store the flow's new state (same handle hash)."""
        ...

    def update_flow_if(self, flow: SignInFlow, expected: FlowState) -> bool:
        """`update_flow` as a compare-and-set: only while the stored state is still `expected`. Of two
        requests that both read the flow in that state, exactly one gets True."""
        ...

    def purge_flows(self, expired_before: datetime) -> None:
        """Delete flows that expired before this instant (they can only answer AADSTS50089 anyway)."""
        ...


class SignInUnit(
    SessionRepository,
    FlowRepository,
    UserRepository,
    GroupRepository,
    RoleAssignmentReader,
    ApplicationReader,
    ServicePrincipalRepository,
    AssignmentRepository,
    PermissionGrantRepository,
    TokenRecordRepository,
    TenantRepository,
    PasswordPolicyRepository,
    AuditRepository,
    AuthMethodRepository,
    Protocol,
):
    """What the sign-in pages use: sessions, flows, tenants and their password policies, users, consent
    records, device codes, and the audit log (a password changed at sign-in)."""


class SignInStore(Protocol):
    """One transaction per page request; `write=True` when the transaction will write."""

    def transaction(self, *, write: bool = False) -> AbstractContextManager[SignInUnit]:
        """Commit on success, roll back on error."""
        ...
