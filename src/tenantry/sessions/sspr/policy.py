"""Tenant SSPR settings and what they ask of one user (entra-reference §5.5).

- Scope: `off`, `all`, or the direct members of one group. Administrators (any directory role) are always
  in scope with Entra's fixed two-gate policy: two methods, never security questions. Tenantry treats any
  role holder as an administrator, which is stricter than Entra's list and never weaker.
- "Authenticator app can't be the only allowed method" when one method is required (§5.5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Target
from tenantry.audit.recorder import AuditContext, record
from tenantry.directory.models import User
from tenantry.directory.principal_roles import list_principal_roles
from tenantry.sessions.mfa import AuthMethod, MethodType
from tenantry.sessions.sspr.models import (
    ADMIN_METHODS,
    ADMIN_METHODS_REQUIRED,
    MAX_QUESTIONS,
    MAX_RECONFIRM_DAYS,
    MAX_SKIP_DAYS,
    MIN_QUESTIONS,
    Requirement,
    SsprMethod,
    SsprPolicy,
    SsprScope,
)
from tenantry.sessions.sspr.repository import SsprUnit


class SsprPolicyError(ValueError):
    """A settings change that cannot be made, with a message saying why."""


def check_policy(policy: SsprPolicy) -> None:
    """Entra's limits: 1 or 2 methods, 3–5 questions (reset ≤ register), a group for `group`, enough methods."""
    if policy.methods_required not in (1, 2):
        raise SsprPolicyError("the number of methods required to reset is 1 or 2")
    if not MIN_QUESTIONS <= policy.questions_to_reset <= policy.questions_to_register <= MAX_QUESTIONS:
        raise SsprPolicyError("security questions: 3 to 5 to register, and no more to reset than to register")
    if policy.scope is SsprScope.GROUP and not policy.group_id:
        raise SsprPolicyError("--enabled group needs --group")
    if len(policy.methods) < policy.methods_required:
        raise SsprPolicyError(f"{policy.methods_required} methods are required but only {len(policy.methods)} allowed")
    if policy.methods == (SsprMethod.MOBILE_APP_CODE,):
        raise SsprPolicyError("the authenticator app cannot be the only allowed method")
    if not 0 <= policy.reconfirm_days <= MAX_RECONFIRM_DAYS:
        raise SsprPolicyError(f"re-confirmation is 0 (never) to {MAX_RECONFIRM_DAYS} days")
    if not 0 <= policy.skip_days <= MAX_SKIP_DAYS:
        raise SsprPolicyError(f"skipping registration lasts 0 to {MAX_SKIP_DAYS} days")


def is_admin(unit: SsprUnit, user: User) -> bool:
    """Holds a directory role, directly or through a role-assignable group (two-gate policy)."""
    return bool(list_principal_roles(unit, user.tenant_id, user.id))


def requirement(unit: SsprUnit, user: User, policy: SsprPolicy) -> Requirement:
    """What SSPR asks of `user` under `policy` (admins: two methods, no questions, always in scope); a
    disabled account may not reset."""
    if is_admin(unit, user):
        return Requirement(user.account_enabled, ADMIN_METHODS_REQUIRED, ADMIN_METHODS, 0, 0, admin=True)
    in_scope = policy.scope is SsprScope.ALL or (
        policy.scope is SsprScope.GROUP and policy.group_id in unit.list_group_ids_of_member(user.tenant_id, user.id)
    )
    allowed = in_scope and user.account_enabled
    return Requirement(
        allowed,
        policy.methods_required,
        policy.methods,
        policy.questions_to_register,
        policy.questions_to_reset,
        admin=False,
    )


def registered(methods: Iterable[AuthMethod], need: Requirement) -> tuple[SsprMethod, ...]:
    """The allowed methods the user has registered (questions: at least as many as must be registered)."""
    kinds = [m.type for m in methods]
    have = {
        SsprMethod.EMAIL: MethodType.EMAIL in kinds,
        SsprMethod.MOBILE_APP_CODE: MethodType.SOFTWARE_OATH in kinds,
        SsprMethod.SECURITY_QUESTIONS: kinds.count(MethodType.SECURITY_QUESTION) >= max(need.questions_to_register, 1),
    }
    return tuple(m for m in need.methods if have[m])


def is_registered(methods: Iterable[AuthMethod], need: Requirement) -> bool:
    """Enough methods registered to reset."""
    return len(registered(methods, need)) >= need.methods_required


class SsprPolicyService:
    """Read and change a tenant's SSPR settings (CLI `tenantry tenant sspr`); changes are audited."""

    def __init__(self, transaction: Callable[..., AbstractContextManager[SsprUnit]]) -> None:
        self._transaction = transaction

    def policy_for(self, tenant_id: str) -> SsprPolicy:
        """The tenant's settings, or the defaults."""
        with self._transaction() as unit:
            return unit.find_sspr_policy(tenant_id) or SsprPolicy(tenant_id)

    def set_policy(self, tenant_id: str, ctx: AuditContext, **changes: Any) -> SsprPolicy:
        """Change what is given (None keeps the current value), check Entra's limits, store, audit."""
        given = {k: v for k, v in changes.items() if v is not None}
        try:
            if "scope" in given:
                given["scope"] = SsprScope(given["scope"])
            if "methods" in given:
                given["methods"] = tuple(dict.fromkeys(SsprMethod(m) for m in given["methods"]))
        except ValueError as err:
            raise SsprPolicyError(str(err)) from err
        with self._transaction(write=True) as unit:
            old = unit.find_sspr_policy(tenant_id) or SsprPolicy(tenant_id)
            new = replace(old, **given)
            if new.scope is not SsprScope.GROUP:
                new = replace(new, group_id=None)
            check_policy(new)
            if new.group_id and unit.find_group(tenant_id, new.group_id) is None:
                raise SsprPolicyError(f"group '{new.group_id}' not found in the tenant")
            unit.save_sspr_policy(new)
            target = Target("Policy", tenant_id, "Self-service password reset", _changes(old, new))
            record(unit, ctx, tenant_id, AuditActivity.SET_SSPR_POLICY, (target,), "Update")
        return new


def _changes(old: SsprPolicy, new: SsprPolicy) -> tuple[tuple[str, str, str], ...]:
    names = (
        *("scope", "group_id", "methods_required", "methods", "questions_to_register", "questions_to_reset"),
        *("require_registration", "reconfirm_days", "skip_days", "notify_admins"),
    )
    return tuple(
        (name, _text(getattr(old, name)), _text(getattr(new, name)))
        for name in names
        if getattr(old, name) != getattr(new, name)
    )


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)
