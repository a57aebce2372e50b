"""A tenant's password policy: read it (Entra's defaults when none was set) and change it, audited.

Expiry: `validity_days` None means passwords never expire (Entra's default for tenants made since 2021);
1–730 days otherwise. Custom banned terms (entra-reference §5.4): 4–16 characters each, at most 1000, kept
lower-case and unique; they add to the global list, which cannot be switched off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Target
from tenantry.audit.recorder import SYSTEM, AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.directory.models import PasswordPolicy
from tenantry.passwords.repository import PasswordPolicyRepository

MIN_VALIDITY_DAYS = 1
MAX_VALIDITY_DAYS = 730
MIN_TERM_LENGTH = 4
MAX_TERM_LENGTH = 16
MAX_TERMS = 1000


class PasswordPolicyError(ValueError):
    """A policy change that cannot be made, with a message saying why."""


class PasswordPolicyUnit(PasswordPolicyRepository, AuditRepository, Protocol):
    """The repositories one policy transaction needs."""


def _clean_terms(terms: Iterable[str]) -> list[str]:
    cleaned = []
    for raw in terms:
        term = raw.strip().lower()
        if not MIN_TERM_LENGTH <= len(term) <= MAX_TERM_LENGTH:
            raise PasswordPolicyError(
                f"banned term {raw!r}: a term has {MIN_TERM_LENGTH} to {MAX_TERM_LENGTH} characters"
            )
        cleaned.append(term)
    return cleaned


def _changed_terms(current: tuple[str, ...], add: Iterable[str], remove: Iterable[str]) -> tuple[str, ...]:
    """`current` plus `add` minus `remove` (case-insensitive), in first-added order."""
    gone = {term.strip().lower() for term in remove}
    terms = dict.fromkeys(t for t in (*current, *_clean_terms(add)) if t not in gone)
    if len(terms) > MAX_TERMS:
        raise PasswordPolicyError(f"a tenant has at most {MAX_TERMS} custom banned terms")
    return tuple(terms)


def _validity(current: int | None, validity_days: int | None, never_expire: bool) -> int | None:
    if validity_days is not None and never_expire:
        raise PasswordPolicyError("usage error: --expire-days N | --never-expire")
    if never_expire:
        return None
    if validity_days is None:
        return current
    if not MIN_VALIDITY_DAYS <= validity_days <= MAX_VALIDITY_DAYS:
        raise PasswordPolicyError(
            f"a password validity period is {MIN_VALIDITY_DAYS} to {MAX_VALIDITY_DAYS} days (or never expires)"
        )
    return validity_days


def _target(old: PasswordPolicy, new: PasswordPolicy) -> Target:
    """The tenant's password policy with what changed (days, terms): never a password."""
    changes = []
    if old.validity_days != new.validity_days:
        changes.append(("passwordValidityPeriodInDays", str(old.validity_days or ""), str(new.validity_days or "")))
    if old.banned_terms != new.banned_terms:
        changes.append(("bannedPasswordList", ",".join(old.banned_terms), ",".join(new.banned_terms)))
    return Target("Policy", new.tenant_id, "Password policy", tuple(changes))


class PasswordPolicyService:
    """Reads and sets tenants' password policies."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[PasswordPolicyUnit]], clock: Clock) -> None:
        self._transaction = transaction
        self._clock = clock

    def policy_for(self, tenant_id: str) -> PasswordPolicy:
        """The tenant's policy; Entra's defaults (never expires, no custom terms) when it set none."""
        with self._transaction() as unit:
            return unit.find_password_policy(tenant_id) or PasswordPolicy(tenant_id)

    def set_policy(
        self,
        tenant_id: str,
        *,
        validity_days: int | None = None,
        never_expire: bool = False,
        banned_add: Iterable[str] = (),
        banned_remove: Iterable[str] = (),
        audit: AuditContext | None = None,
    ) -> PasswordPolicy:
        """Change what is given and keep the rest: `validity_days` (1–730) or `never_expire`, terms to add
        and to remove; audited as "Set password policy" in the same transaction."""
        ctx = audit or AuditContext(SYSTEM, self._clock.now())
        with self._transaction() as unit:
            old = unit.find_password_policy(tenant_id) or PasswordPolicy(tenant_id)
            new = replace(
                old,
                validity_days=_validity(old.validity_days, validity_days, never_expire),
                banned_terms=_changed_terms(old.banned_terms, banned_add, banned_remove),
            )
            unit.save_password_policy(new)
            record(unit, ctx, tenant_id, AuditActivity.SET_PASSWORD_POLICY, (_target(old, new),), "Update")
        return new
