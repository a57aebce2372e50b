"""Named locations in conditional access (issue 12 §4), with two source addresses on loopback: a policy that
blocks sign-ins from everywhere but the tenant's trusted office range lets the user in from 127.0.0.1 and
answers 53003 from 127.0.0.2; one that asks for MFA only from a lab range asks it only there."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from tenantry.common.ids import new_guid
from tenantry.conditional_access.models import (
    ApplicationCondition,
    ConditionalAccessPolicy,
    Conditions,
    GrantControl,
    GrantControls,
    LocationCondition,
    LocationKind,
    NamedLocation,
    PolicyState,
    UserCondition,
)
from tenantry.directory.models import User

from .conftest import ATTACKER_IP, HOME_IP, LockoutWorld, error_code


def location(world: LockoutWorld, name: str, cidr: str, *, trusted: bool = False) -> NamedLocation:
    """Store an IP named location of the world's tenant."""
    now = world.services.clock.now()
    found = NamedLocation(new_guid(), world.tenant.id, name, LocationKind.IP, now, None, (cidr,), trusted)
    with world.services.store.transaction(write=True) as unit:
        unit.add_named_location(found)
    return found


def policy(world: LockoutWorld, user: User, control: GrantControl, where: LocationCondition) -> None:
    """Store an enabled policy for `user` and every app, limited to `where`."""
    created = world.services.clock.now() - timedelta(seconds=1)
    conditions = Conditions(UserCondition(include_users=(user.id,)), ApplicationCondition(("All",)), locations=where)
    found = ConditionalAccessPolicy(
        new_guid(),
        world.tenant.id,
        f"{control} by location",
        PolicyState.ENABLED,
        conditions,
        GrantControls("OR", (control,)),
        created,
    )
    with world.services.store.transaction(write=True) as unit:
        unit.add_ca_policy(found)


def test_block_outside_trusted_locations(world: LockoutWorld, home: TestClient, attacker: TestClient) -> None:
    """All locations but the trusted ones are blocked: the office address signs in, the other gets 53003."""
    user = world.new_user("located")
    location(world, "Office", f"{HOME_IP}/32", trusted=True)
    policy(world, user, GrantControl.BLOCK, LocationCondition(("All",), ("AllTrusted",)))
    assert error_code(world.ropc(home, user)) == 0
    assert error_code(world.ropc(attacker, user)) == 53003


def test_mfa_only_from_a_named_range(world: LockoutWorld, home: TestClient, attacker: TestClient) -> None:
    """MFA asked only from the lab's range: 50079 (no method registered) there, a token elsewhere."""
    user = world.new_user("lab")
    lab = location(world, "Lab", f"{ATTACKER_IP}/32")
    policy(world, user, GrantControl.MFA, LocationCondition((lab.id,)))
    assert error_code(world.ropc(home, user)) == 0
    assert error_code(world.ropc(attacker, user)) == 50079
