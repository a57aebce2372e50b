"""`FlowRepository` contract: sign-in flows round-trip through SQL on every backend, found by handle hash."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import timedelta

from tenantry.errors import Aadsts
from tenantry.sessions.flow import (
    ConsentPrompt,
    FlowEntry,
    FlowKind,
    FlowOrigin,
    FlowState,
    SignInFlow,
    new_flow,
)
from tenantry.store.unit_of_work import Store

from .conftest import NOW


def flow_record(**changes: object) -> SignInFlow:
    """A flow with a fresh handle hash and a request full of awkward characters."""
    digest = hashlib.sha256(uuid.uuid4().bytes).digest()
    request = {"state": 'ünïcode & <tags> "quotes" ‮', "scope": "openid profile", "nonce": "n" * 512}
    origin = FlowOrigin(FlowKind.AUTHORIZE, "Contoso.Example", None, str(uuid.uuid4()), request)
    flow = new_flow(
        digest, origin, NOW, FlowEntry(FlowState.PASSWORD, login_hint="a@b.example", username="a@b.example")
    )
    return replace(flow, **changes)  # type: ignore[arg-type]


def stored(store: Store, flow: SignInFlow) -> SignInFlow | None:
    """The flow as read back."""
    with store.transaction() as unit:
        return unit.find_flow(flow.handle_hash)


def test_a_flow_round_trips_field_for_field(store: Store) -> None:
    """Every field, the request mapping and the instants (microseconds included) come back as written."""
    flow = flow_record()
    with store.transaction(write=True) as unit:
        unit.add_flow(flow)
    found = stored(store, flow)
    assert found is not None
    assert found == replace(flow, request=dict(flow.request))
    assert found.created_at == NOW and found.expires_at.tzinfo is not None


def test_update_stores_state_user_session_and_consent_prompt(store: Store) -> None:
    """A flow moves on: state, user, session, tenant, consent prompt and error code are all kept."""
    flow = flow_record()
    with store.transaction(write=True) as unit:
        unit.add_flow(flow)
    prompt = ConsentPrompt(str(uuid.uuid4()), "c", "Client", "r", "Resource", ("User.Read",), ("Read you",), True)
    moved = replace(
        flow,
        state=FlowState.CONSENT,
        tenant_id=str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        session_id=str(uuid.uuid4()),
        consent=prompt,
        allow_sso=False,
    )
    with store.transaction(write=True) as unit:
        unit.update_flow(moved)
    assert stored(store, flow) == replace(moved, request=dict(flow.request))
    failed = replace(moved, state=FlowState.FAILED, consent=None, error_code=Aadsts.UserDeclinedConsent)
    with store.transaction(write=True) as unit:
        unit.update_flow(failed)
    assert stored(store, flow) == replace(failed, request=dict(flow.request))


def test_unknown_handle_is_none(store: Store) -> None:
    """Nothing is found for a hash never stored."""
    assert stored(store, flow_record()) is None


def test_purge_deletes_only_expired_flows(store: Store) -> None:
    """`purge_flows(t)` removes flows whose expiry is before `t` and keeps the live ones."""
    old = flow_record(expires_at=NOW - timedelta(seconds=1))
    live = flow_record(expires_at=NOW + timedelta(minutes=5))
    with store.transaction(write=True) as unit:
        unit.add_flow(old)
        unit.add_flow(live)
        unit.purge_flows(NOW)
    assert stored(store, old) is None
    assert stored(store, live) is not None


def test_update_if_is_a_compare_and_set_on_the_state(store: Store) -> None:
    """Two resumes that both read the flow in CONSENT: the first completion wins, the second changes nothing
    and is told so (the resume step then answers AADSTS50089 instead of issuing a second code)."""
    flow = replace(flow_record(), state=FlowState.CONSENT)
    with store.transaction(write=True) as unit:
        unit.add_flow(flow)
    done = replace(flow, state=FlowState.COMPLETE)
    with store.transaction(write=True) as unit:
        assert unit.update_flow_if(done, expected=FlowState.CONSENT) is True
    with store.transaction(write=True) as unit:
        assert unit.update_flow_if(replace(done, user_id="someone-else"), expected=FlowState.CONSENT) is False
    assert stored(store, flow) == replace(done, request=dict(flow.request))


def test_update_if_of_an_unknown_flow_is_false(store: Store) -> None:
    """Nothing stored under that hash: nothing updated."""
    never_stored = flow_record()
    with store.transaction(write=True) as unit:
        assert unit.update_flow_if(never_stored, expected=never_stored.state) is False
