"""Smart lockout's values (entra-reference §5.3) and the one rule that moves them: `after_failure`.

A user's failed attempts are counted per *location*: each address the user has signed in from successfully
before is a familiar location of its own; every other address falls in the one unfamiliar location. So an
attacker spraying from anywhere locks the user out of unfamiliar addresses only, while the user keeps
signing in from the addresses they use. The same wrong password again (one of the last three tried from
that location) is not counted again. At `threshold` counted failures the location is locked for
`duration_seconds`; a counted failure after a lockout expired locks it again at once, each time for twice
as long (Entra grows the duration without saying by how much), up to `MAX_GROWTH` times the base. A
successful sign-in from the location, or an administrator's unlock, starts it afresh.

```mermaid
stateDiagram-v2
    [*] --> Counting
    Counting --> Counting: wrong password (new: failures+1; repeated: unchanged)
    Counting --> Locked: failures reach threshold (duration × 2^(lockouts−1))
    Locked --> Locked: any attempt: 50053, no password check
    Locked --> Expired: duration passes
    Expired --> Locked: a new wrong password (next, longer lockout)
    Expired --> [*]: right password (failures and lockouts forgotten)
    Counting --> [*]: right password, or admin unlock
    Locked --> [*]: admin unlock
```
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

# Entra's public-cloud defaults (§5.3).
DEFAULT_THRESHOLD = 10
DEFAULT_DURATION_SECONDS = 60
# How many bad-password fingerprints a location remembers (§5.3: "the last 3 bad password hashes").
REMEMBERED_PASSWORDS = 3
# A repeated lockout lasts twice the previous one, up to this many times the tenant's duration.
MAX_GROWTH = 32
# The location of every address the user has not signed in from before.
UNFAMILIAR = "unfamiliar"
MIN_THRESHOLD, MAX_THRESHOLD = 1, 100
MIN_DURATION_SECONDS, MAX_DURATION_SECONDS = 5, 86_400
MAX_BLOCKED_RANGES = 2000


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """A tenant's settings: Entra's `lockoutThreshold`, `lockoutDurationInSeconds`, and the CIDR ranges
    whose sign-ins are refused outright (a blocked IP, 50053 "malicious activity")."""

    tenant_id: str
    threshold: int = DEFAULT_THRESHOLD
    duration_seconds: int = DEFAULT_DURATION_SECONDS
    blocked_ranges: tuple[str, ...] = ()

    def is_blocked(self, address: str) -> bool:
        """Whether `address` lies in a blocked range; an address we cannot parse ("" or a test client's
        name) lies in none."""
        if not self.blocked_ranges:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(cidr, strict=False) for cidr in self.blocked_ranges)

    def lockout_duration(self, lockouts: int) -> timedelta:
        """The `lockouts`-th lockout in a row of one location: the base, doubled each time, capped."""
        factor = min(2 ** max(lockouts - 1, 0), MAX_GROWTH)
        return timedelta(seconds=self.duration_seconds * factor)


@dataclass(frozen=True, slots=True)
class LockoutKey:
    """One location of one user: an address the user signed in from before, or `UNFAMILIAR`."""

    tenant_id: str
    user_id: str
    location: str


@dataclass(frozen=True, slots=True)
class LockoutState:
    """A location's counters: counted failures, lockouts so far (for the growing duration), when the current
    lockout ends, and the fingerprints (keyed HMACs, never the password) of the last wrong passwords."""

    failures: int = 0
    lockouts: int = 0
    locked_until: datetime | None = None
    fingerprints: tuple[str, ...] = ()

    def is_locked(self, now: datetime) -> bool:
        """Whether an attempt now is refused without looking at the password."""
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True, slots=True)
class LockoutChange:
    """A location's state before and after one failed attempt."""

    before: LockoutState
    after: LockoutState

    @property
    def locked_now(self) -> bool:
        """Whether this attempt started a lockout (it is audited)."""
        return self.after.lockouts > self.before.lockouts


def after_failure(state: LockoutState, fingerprint: str, now: datetime, policy: LockoutPolicy) -> LockoutState:
    """The location's state after a wrong password whose fingerprint is `fingerprint` (module docstring).
    An attempt that raced a lockout (checked before it started) and a repeated password change nothing."""
    if state.is_locked(now) or fingerprint in state.fingerprints:
        return state
    prints = (*state.fingerprints, fingerprint)[-REMEMBERED_PASSWORDS:]
    failures = state.failures + 1
    if failures < policy.threshold:
        return replace(state, failures=failures, fingerprints=prints)
    lockouts = state.lockouts + 1
    return LockoutState(failures, lockouts, now + policy.lockout_duration(lockouts), prints)
