"""SSPR storage on both backends: settings (absent → None, replace round-trip), resets in progress (the
compare-and-set on step and wrong-code count, purge), registration state, the e-mail method's address, and
the attempt counters (a new window, increments, and concurrent attempts counted once each)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant, User
from tenantry.sessions.mfa import AuthMethod, MethodType
from tenantry.sessions.sspr.models import Registration, ResetFlow, ResetStep, SsprMethod, SsprPolicy, SsprScope
from tenantry.store.unit_of_work import Store

from .conftest import NOW, tenant_record


@pytest.fixture
def user(store: Store) -> User:
    """A user of a tenant of the test's own."""
    tenant: Tenant = tenant_record()
    user = User(new_guid(), tenant.id, f"ada@{tenant.domains[0]}", "Ada", NOW, password_hash="x")
    with store.transaction(write=True) as unit:
        unit.add_tenant(tenant)
        unit.add_user(user)
    return user


def test_policy_round_trip(store: Store, user: User) -> None:
    policy = SsprPolicy(
        user.tenant_id,
        SsprScope.GROUP,
        new_guid(),
        2,
        (SsprMethod.SECURITY_QUESTIONS, SsprMethod.EMAIL),
        5,
        4,
        False,
        0,
        3,
        True,
    )
    with store.transaction(write=True) as unit:
        assert unit.find_sspr_policy(user.tenant_id) is None
        unit.save_sspr_policy(policy)
        unit.save_sspr_policy(policy)
    with store.transaction() as unit:
        assert unit.find_sspr_policy(user.tenant_id) == policy


def test_reset_flow_compare_and_set_and_purge(store: Store, user: User) -> None:
    flow = ResetFlow(
        hashlib.sha256(new_guid().encode()).digest(),
        user.user_principal_name,
        user.tenant_id,
        user.id,
        ResetStep.VERIFY,
        NOW,
        NOW + timedelta(minutes=15),
        code_hash=b"\x00" * 31 + b"\xff",
        code_expires_at=NOW + timedelta(minutes=10),
    )
    with store.transaction(write=True) as unit:
        unit.add_reset_flow(flow)
    with store.transaction() as unit:
        assert unit.find_reset_flow(flow.handle_hash) == flow
    moved = replace(flow, verified=(SsprMethod.EMAIL,), code_attempts=1)
    with store.transaction(write=True) as unit:
        assert unit.update_reset_flow_if(moved, ResetStep.VERIFY, 0)
        assert not unit.update_reset_flow_if(flow, ResetStep.VERIFY, 0)  # a stale read: the try was counted
        assert not unit.update_reset_flow_if(flow, ResetStep.PASSWORD, 1)
    with store.transaction() as unit:
        assert unit.find_reset_flow(flow.handle_hash) == moved
    with store.transaction(write=True) as unit:
        unit.purge_reset_flows(NOW + timedelta(hours=1))
    with store.transaction() as unit:
        assert unit.find_reset_flow(flow.handle_hash) is None


def test_registration_and_email_address(store: Store, user: User) -> None:
    state = Registration(user.tenant_id, user.id, NOW, NOW + timedelta(days=7))
    method = AuthMethod(
        new_guid(), user.tenant_id, user.id, MethodType.EMAIL, "Email", NOW, email_address="a@home.example"
    )
    with store.transaction(write=True) as unit:
        assert unit.find_sspr_registration(user.tenant_id, user.id) is None
        unit.save_sspr_registration(state)
        unit.save_sspr_registration(state)
        unit.add_auth_method(method)
        unit.update_auth_method_address(replace(method, email_address="b@home.example"))
    with store.transaction() as unit:
        assert unit.find_sspr_registration(user.tenant_id, user.id) == state
        [stored] = unit.list_auth_methods(user.tenant_id, user.id)
    assert stored.email_address == "b@home.example"


def test_counters_window_and_concurrency(store: Store) -> None:
    key = hashlib.sha256(new_guid().encode()).digest()
    with store.transaction(write=True) as unit:
        assert [unit.count_attempt(key, NOW, 60) for _ in range(3)] == [1, 2, 3]
        assert unit.count_attempt(key, NOW + timedelta(seconds=61), 60) == 1  # a new window
        assert unit.count_attempt(key, NOW + timedelta(seconds=62), 60) == 2  # which lasts from then
    shared = hashlib.sha256(new_guid().encode()).digest()
    counts: list[int] = []
    lock = threading.Lock()

    def attempt() -> None:
        with store.transaction(write=True) as unit:
            value = unit.count_attempt(shared, NOW, 60)
        with lock:
            counts.append(value)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 9))
