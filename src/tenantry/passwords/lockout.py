"""Smart lockout and blocked IPs at password sign-in (entra-reference §5.3; the rules are in `models.py`).

`PasswordAuthenticator` asks `check` before it looks at the password: a blocked address or a locked location
is refused with 50053 at once, so an attack on a locked account costs no argon2 hash. It then reports the
outcome: `failed` (counted, perhaps locking; the lockout is audited) or `succeeded` (the location starts
afresh, the address becomes familiar). State lives behind `LockoutStateStore` (database or Redis, shared
by every server process); tenant settings in the database, read per attempt (one primary-key lookup).
Passwords are fingerprinted with an HMAC under a key derived from the master key: never stored, never
hashed with argon2 (that would cost what lockout saves).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Actor, Target
from tenantry.audit.recorder import SYSTEM, AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.errors import Aadsts, AadstsError
from tenantry.passwords.models import (
    MAX_BLOCKED_RANGES,
    MAX_DURATION_SECONDS,
    MAX_THRESHOLD,
    MIN_DURATION_SECONDS,
    MIN_THRESHOLD,
    UNFAMILIAR,
    LockoutKey,
    LockoutPolicy,
    LockoutState,
)
from tenantry.passwords.repository import LockoutPolicyRepository, LockoutStateStore

log = logging.getLogger("tenantry.lockout")

LOCKED_HINT = (
    "Your account is temporarily locked to prevent unauthorized use. Try again later, and if you still have "
    "trouble, contact your admin."
)
BLOCKED_HINT = "Sign-in was blocked because it came from an IP address with malicious activity."
# The audit actor of a lockout: smart lockout itself, not an administrator.
SMART_LOCKOUT = Actor("system", "smart-lockout", "Smart lockout")
FINGERPRINT_PURPOSE = "smart-lockout password fingerprint"


class LockoutError(ValueError):
    """A settings change that cannot be made, with a message saying why."""


class LockoutUnit(LockoutPolicyRepository, AuditRepository, Protocol):
    """The repositories one settings or audit transaction needs."""


@dataclass(frozen=True, slots=True)
class LockoutAttempt:
    """What `check` found for one attempt, handed back to `failed` / `succeeded`."""

    key: LockoutKey
    address: str
    state: LockoutState | None
    policy: LockoutPolicy


class Lockout:
    """Smart lockout for every password sign-in of this process (built once, in `app.py`). `transaction`
    opens a read transaction, or a write one with `write=True`: the sign-in path only reads (settings), so
    it never waits for SQLite's write lock."""

    def __init__(
        self,
        states: LockoutStateStore,
        transaction: Callable[..., AbstractContextManager[LockoutUnit]],
        fingerprint_key: bytes,
        clock: Clock,
    ) -> None:
        self._states = states
        self._transaction = transaction
        self._key = fingerprint_key
        self._clock = clock

    def policy_for(self, tenant_id: str) -> LockoutPolicy:
        """The tenant's settings; Entra's defaults (10 attempts, 60 s, nothing blocked) when it set none."""
        with self._transaction() as unit:
            return unit.find_lockout_policy(tenant_id) or LockoutPolicy(tenant_id)

    def check(self, tenant_id: str, user_id: str | None, address: str, now: datetime) -> LockoutAttempt | None:
        """Before any password work: 50053 for a blocked address (whoever the user) or a locked location of
        `user_id`; None when the user is unknown (nothing to count), else what `failed`/`succeeded` need."""
        policy = self.policy_for(tenant_id)
        if policy.is_blocked(address):
            raise AadstsError.of(Aadsts.IdsLocked, hint=BLOCKED_HINT, debug=f"address {address} is in a blocked range")
        if user_id is None:
            return None
        key, state = self._states.locate(tenant_id, user_id, address)
        if state is not None and state.is_locked(now):
            until = state.locked_until.isoformat() if state.locked_until else ""
            raise AadstsError.of(
                Aadsts.IdsLocked, hint=LOCKED_HINT, debug=f"user {user_id} locked at {key.location} until {until}"
            )
        return LockoutAttempt(key, address, state, policy)

    def fingerprint(self, attempt: LockoutAttempt, password: str) -> str:
        """A keyed HMAC-SHA256 of the password bound to the user (truncated: it only has to tell recent
        attempts apart), so that the state store never holds anything a password could be guessed from
        offline without the master key."""
        message = f"{attempt.key.tenant_id}\x00{attempt.key.user_id}\x00{password}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def failed(self, attempt: LockoutAttempt, password: str, now: datetime, upn: str = "") -> None:
        """Count a wrong password (unless repeated); a lockout it starts is audited as "Lock user out"."""
        change = self._states.record_failure(attempt.key, self.fingerprint(attempt, password), now, attempt.policy)
        if not change.locked_now:
            return
        until = change.after.locked_until
        log.warning(
            "smart lockout: user %s locked at location %s until %s (lockout %d)",
            attempt.key.user_id,
            attempt.key.location,
            until.isoformat() if until else "",
            change.after.lockouts,
        )
        detail = ("lockedUntil", "", until.isoformat() if until else "")
        target = Target("User", attempt.key.user_id, upn, (("location", "", attempt.key.location), detail))
        with self._transaction(write=True) as unit:
            record(
                unit,
                AuditContext(SMART_LOCKOUT, now),
                attempt.key.tenant_id,
                AuditActivity.LOCK_USER,
                (target,),
                "Update",
            )

    def succeeded(self, attempt: LockoutAttempt) -> None:
        """The password was right: the location starts afresh and the address becomes familiar. Nothing is
        written for a familiar address with no failures, the common case."""
        if attempt.state is None and attempt.key.location != UNFAMILIAR:
            return
        self._states.record_success(attempt.key, attempt.address)

    def unlock(self, tenant_id: str, user_id: str, upn: str = "", ctx: AuditContext | None = None) -> bool:
        """An administrator's unlock (§5.3: "Admins can unlock immediately"): every location of the user
        starts afresh; audited as "Unlock user"; whether a location was locked."""
        ctx = ctx or AuditContext(SYSTEM, self._clock.now())
        was_locked = self._states.clear(tenant_id, user_id, self._clock.now())
        target = Target("User", user_id, upn, (("locked", str(was_locked).lower(), "false"),))
        with self._transaction(write=True) as unit:
            record(unit, ctx, tenant_id, AuditActivity.UNLOCK_USER, (target,), "Update")
        return was_locked

    def set_policy(
        self,
        tenant_id: str,
        *,
        threshold: int | None = None,
        duration_seconds: int | None = None,
        block: tuple[str, ...] = (),
        unblock: tuple[str, ...] = (),
        ctx: AuditContext | None = None,
    ) -> LockoutPolicy:
        """Change what is given and keep the rest (threshold 1–100, duration 5 s–1 day, CIDR ranges to
        block or unblock); audited as "Set smart lockout policy"."""
        ctx = ctx or AuditContext(SYSTEM, self._clock.now())
        with self._transaction(write=True) as unit:
            old = unit.find_lockout_policy(tenant_id) or LockoutPolicy(tenant_id)
            new = replace(
                old,
                threshold=_in_range("threshold", threshold, old.threshold, MIN_THRESHOLD, MAX_THRESHOLD),
                duration_seconds=_in_range(
                    "duration", duration_seconds, old.duration_seconds, MIN_DURATION_SECONDS, MAX_DURATION_SECONDS
                ),
                blocked_ranges=_ranges(old.blocked_ranges, block, unblock),
            )
            unit.save_lockout_policy(new)
            record(unit, ctx, tenant_id, AuditActivity.SET_LOCKOUT_POLICY, (_policy_target(old, new),), "Update")
        return new


def _in_range(name: str, value: int | None, current: int, low: int, high: int) -> int:
    if value is None:
        return current
    if not low <= value <= high:
        raise LockoutError(f"the lockout {name} is {low} to {high}")
    return value


def _ranges(current: tuple[str, ...], block: tuple[str, ...], unblock: tuple[str, ...]) -> tuple[str, ...]:
    """`current` plus `block` minus `unblock`, each in canonical CIDR form, in first-added order."""
    gone = {_cidr(c) for c in unblock}
    ranges = tuple(dict.fromkeys(r for r in (*current, *(_cidr(c) for c in block)) if r not in gone))
    if len(ranges) > MAX_BLOCKED_RANGES:
        raise LockoutError(f"a tenant blocks at most {MAX_BLOCKED_RANGES} ranges")
    return ranges


def _cidr(text: str) -> str:
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError as err:
        raise LockoutError(f"{text!r} is not an IP address or CIDR range") from err


def _policy_target(old: LockoutPolicy, new: LockoutPolicy) -> Target:
    changes = []
    if old.threshold != new.threshold:
        changes.append(("lockoutThreshold", str(old.threshold), str(new.threshold)))
    if old.duration_seconds != new.duration_seconds:
        changes.append(("lockoutDurationInSeconds", str(old.duration_seconds), str(new.duration_seconds)))
    if old.blocked_ranges != new.blocked_ranges:
        changes.append(("blockedIpRanges", ",".join(old.blocked_ranges), ",".join(new.blocked_ranges)))
    return Target("Policy", new.tenant_id, "Smart lockout", tuple(changes))
