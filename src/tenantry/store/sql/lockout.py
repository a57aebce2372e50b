"""Smart lockout in SQL: tenant settings (`SqlLockout`, part of `SqlUnit`) and the shared state
(`SqlLockoutStates`, the database `LockoutStateStore`, each call in its own short write transaction so that
a refused sign-in's rollback never takes its counted failure with it).

Atomicity: `record_failure` reads the row `FOR UPDATE` (PostgreSQL) inside a write transaction (SQLite's
`BEGIN IMMEDIATE` serialises writers), so two server processes never count one attempt twice nor lose one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tenantry.passwords.models import UNFAMILIAR, LockoutChange, LockoutKey, LockoutPolicy, LockoutState, after_failure
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import familiar_addresses, lockout_states, tenant_lockout_policies


class SqlLockout(SqlBase):
    """Implements `LockoutPolicyRepository`, and the per-transaction steps `SqlLockoutStates` uses."""

    def find_lockout_policy(self, tenant_id: str) -> LockoutPolicy | None:
        """The tenant's stored settings, if any."""
        t = tenant_lockout_policies
        row = self._conn.execute(select(t).where(t.c.tenant_id == tenant_id)).first()
        if row is None:
            return None
        ranges = tuple(str(r) for r in json.loads(row.blocked_ranges or "[]"))
        return LockoutPolicy(tenant_id, row.threshold, row.duration_seconds, ranges)

    def save_lockout_policy(self, policy: LockoutPolicy) -> None:
        """Upsert by tenant."""
        t = tenant_lockout_policies
        values = {
            "threshold": policy.threshold,
            "duration_seconds": policy.duration_seconds,
            "blocked_ranges": json.dumps(list(policy.blocked_ranges)),
        }
        if self._conn.execute(select(t.c.tenant_id).where(t.c.tenant_id == policy.tenant_id)).first():
            self._conn.execute(update(t).where(t.c.tenant_id == policy.tenant_id).values(**values))
            return
        self._conn.execute(insert(t).values(tenant_id=policy.tenant_id, **values))

    def is_familiar_address(self, tenant_id: str, user_id: str, address: str) -> bool:
        """Whether the user has signed in from `address` before."""
        f = familiar_addresses
        query = select(f.c.address).where(f.c.tenant_id == tenant_id, f.c.user_id == user_id, f.c.address == address)
        return self._conn.execute(query).first() is not None

    def find_lockout_state(self, key: LockoutKey, *, for_update: bool = False) -> LockoutState | None:
        """The location's counters, if it has failures on record."""
        s = lockout_states
        query = select(s).where(
            s.c.tenant_id == key.tenant_id, s.c.user_id == key.user_id, s.c.location == key.location
        )
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        if row is None:
            return None
        prints = tuple(row.fingerprints.split()) if row.fingerprints else ()
        return LockoutState(row.failures, row.lockouts, row.locked_until, prints)

    def claim_lockout_state(self, key: LockoutKey) -> LockoutState:
        """A location's first failure: insert its empty row (another process may have just done so) and
        read it back locked, so that concurrent first failures are counted one after the other."""
        empty = {"failures": 0, "lockouts": 0, "locked_until": None, "fingerprints": ""}
        try:
            with self._conn.begin_nested():
                row = {"tenant_id": key.tenant_id, "user_id": key.user_id, "location": key.location, **empty}
                self._conn.execute(insert(lockout_states).values(**row))
        except IntegrityError:
            pass
        return self.find_lockout_state(key, for_update=True) or LockoutState()

    def save_lockout_state(self, key: LockoutKey, state: LockoutState) -> None:
        """Update the location's (claimed) counters."""
        s = lockout_states
        values = {
            "failures": state.failures,
            "lockouts": state.lockouts,
            "locked_until": state.locked_until,
            "fingerprints": " ".join(state.fingerprints),
        }
        where = (s.c.tenant_id == key.tenant_id, s.c.user_id == key.user_id, s.c.location == key.location)
        self._conn.execute(update(s).where(*where).values(**values))

    def delete_lockout_states(self, tenant_id: str, user_id: str, location: str | None = None) -> None:
        """Forget one location's counters, or every location's."""
        s = lockout_states
        where = [s.c.tenant_id == tenant_id, s.c.user_id == user_id]
        if location is not None:
            where.append(s.c.location == location)
        self._conn.execute(delete(s).where(*where))

    def list_lockout_states(self, tenant_id: str, user_id: str) -> list[LockoutState]:
        """Every location's counters of the user."""
        s = lockout_states
        rows = self._conn.execute(select(s).where(s.c.tenant_id == tenant_id, s.c.user_id == user_id)).all()
        return [LockoutState(r.failures, r.lockouts, r.locked_until) for r in rows]

    def add_familiar_address(self, tenant_id: str, user_id: str, address: str) -> None:
        """Remember `address` for the user (a no-op when it is known already)."""
        if self.is_familiar_address(tenant_id, user_id, address):
            return
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(familiar_addresses).values(tenant_id=tenant_id, user_id=user_id, address=address)
                )
        except IntegrityError:  # another process remembered it meanwhile
            pass


class SqlLockoutStates:
    """The database `LockoutStateStore`: each operation is one short transaction of its own."""

    def __init__(self, transaction: Callable[..., AbstractContextManager[SqlLockout]]) -> None:
        self._transaction = transaction

    def locate(self, tenant_id: str, user_id: str, address: str) -> tuple[LockoutKey, LockoutState | None]:
        """The location of `address` for the user, and its counters."""
        with self._transaction() as unit:
            familiar = bool(address) and unit.is_familiar_address(tenant_id, user_id, address)
            key = LockoutKey(tenant_id, user_id, address if familiar else UNFAMILIAR)
            return key, unit.find_lockout_state(key)

    def record_failure(self, key: LockoutKey, fingerprint: str, now: datetime, policy: LockoutPolicy) -> LockoutChange:
        """Read-modify-write under the row lock (PostgreSQL) or SQLite's write lock."""
        with self._transaction(write=True) as unit:
            before = unit.find_lockout_state(key, for_update=True)
            if before is None:
                before = unit.claim_lockout_state(key)
            after = after_failure(before, fingerprint, now, policy)
            if after != before:
                unit.save_lockout_state(key, after)
            return LockoutChange(before, after)

    def record_success(self, key: LockoutKey, address: str) -> None:
        """The location starts afresh; the address becomes familiar."""
        with self._transaction(write=True) as unit:
            unit.delete_lockout_states(key.tenant_id, key.user_id, key.location)
            if address:
                unit.add_familiar_address(key.tenant_id, key.user_id, address)

    def clear(self, tenant_id: str, user_id: str, now: datetime) -> bool:
        """Forget every location's counters; whether one was locked."""
        with self._transaction(write=True) as unit:
            was_locked = any(state.is_locked(now) for state in unit.list_lockout_states(tenant_id, user_id))
            unit.delete_lockout_states(tenant_id, user_id)
            return was_locked
