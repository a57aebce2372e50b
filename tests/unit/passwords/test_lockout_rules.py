"""Smart lockout's rule (`passwords/models.py`, entra-reference §5.3) without storage: counting, the repeated
password, the threshold, growing lockouts (capped), and blocked ranges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenantry.passwords.models import MAX_GROWTH, LockoutPolicy, LockoutState, after_failure

NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
POLICY = LockoutPolicy("tenant", threshold=3, duration_seconds=60)


def fail_all(state: LockoutState, prints: str, now: datetime = NOW) -> LockoutState:
    for fingerprint in prints:
        state = after_failure(state, fingerprint, now, POLICY)
    return state


def test_distinct_failures_count_and_the_threshold_locks() -> None:
    """Two failures count; the third locks for the duration."""
    state = fail_all(LockoutState(), "ab")
    assert (state.failures, state.locked_until) == (2, None)
    locked = fail_all(state, "c")
    assert (locked.lockouts, locked.locked_until) == (1, NOW + timedelta(seconds=60))
    assert locked.is_locked(NOW + timedelta(seconds=59)) and not locked.is_locked(NOW + timedelta(seconds=60))


def test_one_of_the_last_three_passwords_is_not_counted_again() -> None:
    """`a` again after `b`, `c`'s arrival pushes `a` out of the remembered three; then `a` counts."""
    policy = LockoutPolicy("tenant", threshold=10)
    state = LockoutState()
    for fingerprint in "abab":
        state = after_failure(state, fingerprint, NOW, policy)
    assert state.failures == 2
    for fingerprint in "cda":
        state = after_failure(state, fingerprint, NOW, policy)
    assert (state.failures, state.fingerprints) == (5, ("c", "d", "a"))


def test_a_failure_while_locked_changes_nothing() -> None:
    """An attempt that raced the lockout is not counted (and does not extend it)."""
    locked = fail_all(LockoutState(), "abc")
    assert after_failure(locked, "z", NOW + timedelta(seconds=1), POLICY) == locked


@pytest.mark.parametrize(
    ("lockouts", "seconds"), [(1, 60), (2, 120), (3, 240), (6, 60 * MAX_GROWTH), (20, 60 * MAX_GROWTH)]
)
def test_repeated_lockouts_double_up_to_the_cap(lockouts: int, seconds: int) -> None:
    """Each lockout after the first lasts twice the one before, up to `MAX_GROWTH` times the duration."""
    assert POLICY.lockout_duration(lockouts) == timedelta(seconds=seconds)


def test_the_next_failure_after_a_lockout_ends_locks_again_for_longer() -> None:
    """§5.3: "every failure after the lockout expires locks again, with increasing duration"."""
    later = NOW + timedelta(seconds=61)
    again = after_failure(fail_all(LockoutState(), "abc"), "d", later, POLICY)
    assert (again.lockouts, again.locked_until) == (2, later + timedelta(seconds=120))


def test_blocked_ranges() -> None:
    """IPv4 and IPv6 CIDRs; an address that is not an IP (unknown, a test client) is never blocked."""
    policy = LockoutPolicy("tenant", blocked_ranges=("203.0.113.0/24", "2001:db8::/32"))
    assert policy.is_blocked("203.0.113.77") and policy.is_blocked("2001:db8::1")
    assert not policy.is_blocked("198.51.100.1") and not policy.is_blocked("") and not policy.is_blocked("testclient")
