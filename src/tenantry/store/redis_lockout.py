"""Smart lockout's shared state in Redis (`TENANTRY_REDIS_URL`): the `LockoutStateStore` for deployments
whose server processes share a Redis rather than (only) a database, and that want no database write per
failed attempt. Tenant settings stay in the database.

Keys (`prefix` is `TENANTRY_REDIS_KEY_PREFIX`, default `tenantry:`):
- `{prefix}lockout:{tenant}:{user}:loc:{location}`: a hash (`failures`, `lockouts`, `until`: epoch
  seconds, `prints`: space-separated fingerprints); expires `STATE_TTL_SECONDS` after its last change;
- `{prefix}lockout:{tenant}:{user}:familiar`: a set of addresses.

Atomicity: `record_failure` is an optimistic transaction (WATCH the hash, compute `after_failure` in Python,
MULTI/EXEC; retried when another process changed it meanwhile), so two processes never count one attempt
twice nor lose one, and the rule has one implementation for both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import redis

from tenantry.passwords.models import UNFAMILIAR, LockoutChange, LockoutKey, LockoutPolicy, LockoutState, after_failure

# Failures not followed by another within this time are forgotten (a location's lockout can last at most
# `MAX_GROWTH` × 1 day, so this is only ever reached by idle state).
STATE_TTL_SECONDS = 40 * 86_400


class RedisLockoutStates:
    """Implements `LockoutStateStore` over one Redis (the client's pool is thread-safe)."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str) -> RedisLockoutStates:
        """Connect lazily (the first command opens the connection)."""
        return cls(redis.Redis.from_url(url, socket_timeout=5, health_check_interval=30), prefix)

    def _user(self, tenant_id: str, user_id: str) -> str:
        return f"{self._prefix}lockout:{tenant_id}:{user_id}"

    def _state_key(self, key: LockoutKey) -> str:
        return f"{self._user(key.tenant_id, key.user_id)}:loc:{key.location}"

    def locate(self, tenant_id: str, user_id: str, address: str) -> tuple[LockoutKey, LockoutState | None]:
        """One round trip: whether `address` is familiar, and both candidate locations' hashes."""
        user = self._user(tenant_id, user_id)
        pipe = self._redis.pipeline(transaction=False)
        pipe.sismember(f"{user}:familiar", address)
        pipe.hgetall(f"{user}:loc:{address}")
        pipe.hgetall(f"{user}:loc:{UNFAMILIAR}")
        familiar, own, unfamiliar = pipe.execute()
        familiar = bool(familiar) and bool(address)
        key = LockoutKey(tenant_id, user_id, address if familiar else UNFAMILIAR)
        return key, _decode(own if familiar else unfamiliar)

    def record_failure(self, key: LockoutKey, fingerprint: str, now: datetime, policy: LockoutPolicy) -> LockoutChange:
        """WATCH / compute / MULTI-EXEC, retried on a concurrent change."""
        name = self._state_key(key)
        change: list[LockoutChange] = []

        def apply(pipe: Any) -> None:
            before = _decode(pipe.hgetall(name)) or LockoutState()
            after = after_failure(before, fingerprint, now, policy)
            pipe.multi()
            if after != before:
                pipe.hset(name, mapping=_encode(after))
                pipe.expire(name, STATE_TTL_SECONDS)
            change[:] = [LockoutChange(before, after)]

        self._redis.transaction(apply, name)
        return change[0]

    def record_success(self, key: LockoutKey, address: str) -> None:
        """Forget the location's counters and remember the address, in one MULTI."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(self._state_key(key))
        if address:
            pipe.sadd(f"{self._user(key.tenant_id, key.user_id)}:familiar", address)
        pipe.execute()

    def clear(self, tenant_id: str, user_id: str, now: datetime) -> bool:
        """Delete every location hash of the user: the unfamiliar one and one per familiar address (a
        location is only ever an address once it is familiar, and addresses stay familiar)."""
        user = self._user(tenant_id, user_id)
        members = self._redis.smembers(f"{user}:familiar")
        addresses = [a.decode() if isinstance(a, bytes) else str(a) for a in members]
        names = [f"{user}:loc:{location}" for location in (UNFAMILIAR, *addresses)]
        pipe = self._redis.pipeline(transaction=True)
        for name in names:
            pipe.hgetall(name)
        pipe.delete(*names)
        *states, _deleted = pipe.execute()
        return any((state := _decode(raw)) is not None and state.is_locked(now) for raw in states)

    def close(self) -> None:
        """Close the pool's connections."""
        self._redis.close()


def _decode(raw: dict[bytes, bytes]) -> LockoutState | None:
    if not raw:
        return None
    until = float(raw.get(b"until", b"0") or 0)
    prints = raw.get(b"prints", b"").decode("ascii")
    return LockoutState(
        failures=int(raw.get(b"failures", b"0")),
        lockouts=int(raw.get(b"lockouts", b"0")),
        locked_until=datetime.fromtimestamp(until, UTC) if until else None,
        fingerprints=tuple(prints.split()),
    )


def _encode(state: LockoutState) -> dict[str, str]:
    return {
        "failures": str(state.failures),
        "lockouts": str(state.lockouts),
        "until": repr(state.locked_until.timestamp()) if state.locked_until else "0",
        "prints": " ".join(state.fingerprints),
    }
