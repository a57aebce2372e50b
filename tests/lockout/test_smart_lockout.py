"""Smart lockout over HTTP (ROPC), on the database and on Redis (entra-reference §5.3, issue 12 §1):
the threshold and the lockout's expiry, longer repeats, the repeated-password rule, familiar and unfamiliar
addresses, no argon2 while locked, tenant settings and blocked ranges from the CLI, unlock from the CLI and
from Graph, and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from signin.browser import ShiftableClock
from support.cli import Run, cli_runner
from tenantry.audit.events import AuditActivity
from tenantry.directory.models import User
from tenantry.passwords.hashing import PasswordHashing
from tenantry.passwords.lockout import BLOCKED_HINT, LOCKED_HINT

from .conftest import PASSWORD, LockoutWorld, TestClient, error_code

pytestmark = pytest.mark.timeout(300)


def fail(world: LockoutWorld, client: TestClient, user: User, times: int, prefix: str = "Wrong") -> list[int]:
    """`times` distinct wrong passwords; the codes answered."""
    return [error_code(world.ropc(client, user, f"{prefix}-{i}-Passw0rd")) for i in range(times)]


def locked_message(answer: Any) -> str:
    """The 50053 description's first line."""
    assert error_code(answer) == 50053, answer.text
    return str(answer.json()["error_description"]).split("\r\n", 1)[0]


@pytest.fixture
def cli(world: LockoutWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """The CLI over the module's home (and its Redis, when that backend is under test)."""
    if world.settings.redis_url:
        monkeypatch.setenv("TENANTRY_REDIS_URL", world.settings.redis_url)
        monkeypatch.setenv("TENANTRY_REDIS_KEY_PREFIX", world.settings.redis_key_prefix)
    with cli_runner(world.settings.home, monkeypatch) as run:
        yield run


def test_tenth_failure_locks_until_the_duration_passes(
    world: LockoutWorld, attacker: TestClient, clock: ShiftableClock
) -> None:
    """Ten distinct wrong passwords answer 50126; then even the right one answers 50053 with Entra's
    lockout message, until 60 s have passed."""
    user = world.new_user()
    assert fail(world, attacker, user, 10) == [50126] * 10
    answer = world.ropc(attacker, user)
    assert LOCKED_HINT in locked_message(answer)
    assert answer.json()["error"] == "unauthorized_client" and answer.status_code == 400
    clock.advance(59)
    assert error_code(world.ropc(attacker, user)) == 50053
    clock.advance(2)
    assert error_code(world.ropc(attacker, user)) == 0


def test_a_failure_after_a_lockout_locks_again_for_twice_as_long(
    world: LockoutWorld, attacker: TestClient, clock: ShiftableClock
) -> None:
    """Once the first lockout expired, the next new wrong password locks again at once, for 120 s."""
    user = world.new_user()
    fail(world, attacker, user, 10)
    clock.advance(61)
    assert error_code(world.ropc(attacker, user, "Another-wrong-1")) == 50126
    assert error_code(world.ropc(attacker, user)) == 50053
    clock.advance(61)
    assert error_code(world.ropc(attacker, user)) == 50053
    clock.advance(60)
    assert error_code(world.ropc(attacker, user)) == 0


def test_the_same_wrong_password_is_counted_once(world: LockoutWorld, attacker: TestClient) -> None:
    """Twenty tries of one wrong password (a device with an old password) and eight others lock nothing:
    only the last three distinct wrong passwords are remembered, and a repeat of one of them is free."""
    user = world.new_user()
    for _ in range(20):
        assert error_code(world.ropc(attacker, user, "Old-Passw0rd-1")) == 50126
    assert fail(world, attacker, user, 8) == [50126] * 8
    assert error_code(world.ropc(attacker, user, "Wrong-7-Passw0rd")) == 50126  # one of the last three
    assert error_code(world.ropc(attacker, user)) == 0


def test_an_attacker_cannot_lock_the_user_out_of_a_familiar_address(
    world: LockoutWorld, home: TestClient, attacker: TestClient
) -> None:
    """The user signed in from 127.0.0.1 before; an attacker at 127.0.0.2 locks the unfamiliar location
    only: 127.0.0.2 gets 50053 even with the right password, 127.0.0.1 keeps signing in."""
    user = world.new_user()
    assert error_code(world.ropc(home, user)) == 0
    fail(world, attacker, user, 10)
    assert error_code(world.ropc(attacker, user)) == 50053
    assert error_code(world.ropc(home, user)) == 0


def test_a_familiar_address_is_a_location_of_its_own(
    world: LockoutWorld, home: TestClient, attacker: TestClient
) -> None:
    """Failures from the familiar address lock that address, not the unfamiliar location; a success there
    before the threshold starts its count afresh."""
    user = world.new_user()
    world.ropc(home, user)
    fail(world, home, user, 9)
    assert error_code(world.ropc(home, user)) == 0
    fail(world, home, user, 9, prefix="Again")
    assert error_code(world.ropc(home, user, "Tenth-Passw0rd")) == 50126
    assert error_code(world.ropc(home, user)) == 50053
    assert error_code(world.ropc(attacker, user)) == 0


def test_locked_attempts_cost_no_password_hash(
    world: LockoutWorld, attacker: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While locked, fifty attempts (right and wrong passwords, and a repeat) verify no hash at all."""
    user = world.new_user()
    fail(world, attacker, user, 10)
    calls: list[str] = []
    real = PasswordHashing.verify

    def spy(self: PasswordHashing, stored: str | None, password: str) -> bool:
        calls.append(password)
        return real(self, stored, password)

    monkeypatch.setattr(PasswordHashing, "verify", spy)
    codes = {error_code(world.ropc(attacker, user, p)) for p in [PASSWORD, "Wrong-0-Passw0rd", "x"] * 17}
    assert codes == {50053}
    assert calls == []


def test_lockout_and_unlock_are_audited_and_the_cli_unlocks(
    world: LockoutWorld, attacker: TestClient, cli: Run
) -> None:
    """The lockout is audited by smart lockout itself; `tenantry user unlock --id` lifts it at once and is
    audited as "Unlock user"."""
    user = world.new_user()
    fail(world, attacker, user, 10)
    assert error_code(world.ropc(attacker, user)) == 50053
    result = cli("user", "unlock", "--id", user.user_principal_name, "--json")
    assert result.exit_code == 0, result.output
    assert '"wasLocked": true' in result.output
    assert error_code(world.ropc(attacker, user)) == 0
    records = world.services.audit.list_records(world.tenant.id)
    mine = [(r.activity, r.actor.id) for r in records if any(t.id == user.id for t in r.targets)]
    assert (AuditActivity.LOCK_USER.value, "smart-lockout") in mine
    assert any(activity == AuditActivity.UNLOCK_USER.value for activity, _ in mine)


def test_graph_unlock_extension(world: LockoutWorld, attacker: TestClient, home: TestClient) -> None:
    """`POST /v1.0/users/{id}/tenantry.unlock` (204) by an app allowed to reset the user's password."""
    user = world.new_user()
    fail(world, attacker, user, 10)
    token = world.graph_token(home)
    answer = home.post(f"/v1.0/users/{user.id}/tenantry.unlock", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 204, answer.text
    assert error_code(world.ropc(attacker, user)) == 0


def test_tenant_settings_from_the_cli(world: LockoutWorld, attacker: TestClient, cli: Run) -> None:
    """`tenantry tenant lockout set --threshold 3 --duration-seconds 30` applies at once; defaults back after."""
    domain = world.tenant.domains[0]
    result = cli(
        "tenant", "lockout", "set", "--tenant", domain, "--threshold", "3", "--duration-seconds", "30", "--json"
    )
    assert result.exit_code == 0, result.output
    assert '"lockoutThreshold": 3' in result.output and '"lockoutDurationInSeconds": 30' in result.output
    try:
        user = world.new_user()
        assert fail(world, attacker, user, 3) == [50126] * 3
        assert error_code(world.ropc(attacker, user)) == 50053
    finally:
        cli("tenant", "lockout", "set", "--tenant", domain, "--threshold", "10", "--duration-seconds", "60")
    assert cli("tenant", "lockout", "set", "--tenant", domain, "--threshold", "0").exit_code != 0


def test_a_blocked_range_is_refused_before_the_password(
    world: LockoutWorld, attacker: TestClient, home: TestClient, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tenantry tenant lockout block-ip --cidr 127.0.0.2/32`: 50053 "malicious activity" for every attempt
    from there (right password, unknown user), no hash verified; other addresses are unaffected."""
    domain = world.tenant.domains[0]
    user = world.new_user()
    assert cli("tenant", "lockout", "block-ip", "--tenant", domain, "--cidr", "127.0.0.2/32").exit_code == 0
    try:
        calls: list[str] = []
        real = PasswordHashing.verify
        monkeypatch.setattr(PasswordHashing, "verify", lambda s, h, p: calls.append(p) or real(s, h, p))
        assert BLOCKED_HINT in locked_message(world.ropc(attacker, user))
        assert BLOCKED_HINT in locked_message(world.ropc(attacker, f"nobody@{domain}"))
        assert calls == []
        assert error_code(world.ropc(home, user)) == 0
    finally:
        assert cli("tenant", "lockout", "unblock-ip", "--tenant", domain, "--cidr", "127.0.0.2/32").exit_code == 0
    assert error_code(world.ropc(attacker, user)) == 0
