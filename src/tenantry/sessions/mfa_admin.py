"""Administering users' authentication methods (Graph `users/{id}/authentication/*Methods`, the CLI):
issue a Temporary Access Pass (shown once), list methods, delete one. Every change is audited. The caller
(the adapter) checks the rights first; see graph/routes/auth_methods.py.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tenantry.audit.events import AuditActivity
from tenantry.audit.recorder import AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.directory.models import User
from tenantry.directory.users import user_target
from tenantry.sessions.mfa import (
    PER_USER_STATES,
    TAP_DEFAULT_MINUTES,
    TAP_MAX_MINUTES,
    TAP_MIN_MINUTES,
    AuthMethod,
    AuthMethodRepository,
    MethodType,
    hash_pass,
    new_pass,
)

MAX_START_AHEAD = timedelta(days=365)


class AuthMethodError(ValueError):
    """A method change that cannot be made, with a message saying why."""


class AuthMethodUnit(AuthMethodRepository, AuditRepository, Protocol):
    """The repositories one method transaction needs."""


@dataclass(frozen=True, slots=True)
class IssuedPass:
    """A new Temporary Access Pass: the stored method and the pass itself (shown this once)."""

    method: AuthMethod
    value: str


class AuthMethodService:
    """Issue, list and delete users' authentication methods."""

    def __init__(self, writes: Callable[[], AbstractContextManager[AuthMethodUnit]], clock: Clock) -> None:
        self._writes = writes
        self._clock = clock

    def list_methods(self, user: User) -> list[AuthMethod]:
        """The user's methods, oldest first, without security questions (Graph lists none: answers are
        never shown, not even to administrators)."""
        with self._writes() as unit:
            methods = unit.list_auth_methods(user.tenant_id, user.id)
        return [m for m in methods if m.type is not MethodType.SECURITY_QUESTION]

    def issue_pass(
        self,
        user: User,
        *,
        ctx: AuditContext,
        start: datetime | None = None,
        lifetime_minutes: int | None = None,
        usable_once: bool = False,
    ) -> IssuedPass:
        """A new TAP (Entra: 10 to 43200 minutes, 60 by default; one per user, so an older one is replaced)."""
        minutes = TAP_DEFAULT_MINUTES if lifetime_minutes is None else lifetime_minutes
        if not TAP_MIN_MINUTES <= minutes <= TAP_MAX_MINUTES:
            raise AuthMethodError(f"lifetimeInMinutes is {TAP_MIN_MINUTES} to {TAP_MAX_MINUTES}")
        now = self._clock.now()
        if start is not None and start > now + MAX_START_AHEAD:
            raise AuthMethodError("startDateTime is at most a year ahead")
        value = new_pass()
        method = AuthMethod(
            id=new_guid(),
            tenant_id=user.tenant_id,
            user_id=user.id,
            type=MethodType.TEMPORARY_ACCESS_PASS,
            display_name="Temporary Access Pass",
            created_at=now,
            pass_hash=hash_pass(value),
            start=start or now,
            lifetime_minutes=minutes,
            usable_once=usable_once,
        )
        with self._writes() as unit:
            for old in unit.list_auth_methods(user.tenant_id, user.id):
                if old.type is MethodType.TEMPORARY_ACCESS_PASS:
                    unit.delete_auth_method(user.tenant_id, user.id, old.id)
            unit.add_auth_method(method)
            record(unit, ctx, user.tenant_id, AuditActivity.ADMIN_REGISTER_SECURITY_INFO, (user_target(user),), "Add")
        return IssuedPass(method, value)

    def delete_method(self, user: User, method_id: str, kind: MethodType, *, ctx: AuditContext) -> bool:
        """Remove one method of this kind; False when the user has none with this id."""
        with self._writes() as unit:
            found = unit.find_auth_method(user.tenant_id, user.id, method_id)
            if found is None or found.type is not kind:
                return False
            unit.delete_auth_method(user.tenant_id, user.id, method_id)
            target = (user_target(user),)
            record(unit, ctx, user.tenant_id, AuditActivity.ADMIN_DELETE_SECURITY_INFO, target, "Delete")
        return True

    def mfa_state(self, user: User) -> str:
        """The user's per-user MFA state: `disabled`, `enabled` or `enforced`."""
        with self._writes() as unit:
            return unit.find_mfa_state(user.tenant_id, user.id)

    def set_mfa_state(self, user: User, state: str, *, ctx: AuditContext) -> None:
        """Require (`enabled`, `enforced`) or stop requiring (`disabled`) a second factor at the user's
        sign-ins; audited as "Update user" (`StrongAuthenticationRequirement`)."""
        if state not in PER_USER_STATES:
            raise AuthMethodError(f"perUserMfaState is one of {', '.join(PER_USER_STATES)}")
        with self._writes() as unit:
            old = unit.find_mfa_state(user.tenant_id, user.id)
            if old == state:
                return
            unit.save_mfa_state(user.tenant_id, user.id, state)
            target = user_target(user, (("StrongAuthenticationRequirement", old, state),))
            record(unit, ctx, user.tenant_id, AuditActivity.UPDATE_USER, (target,), "Update")
