"""The sign-in flow state machine (sessions/flow.py): the allowed transitions, and the guards that stop a
replayed or out-of-order post from skipping a step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tenantry.errors import Aadsts
from tenantry.sessions.flow import (
    FLOW_LIFETIME,
    ConsentPrompt,
    FlowEntry,
    FlowKind,
    FlowOrigin,
    FlowState,
    FlowStateError,
    SignInFlow,
    account_selected,
    authenticated,
    completed,
    consent_given,
    consent_needed,
    failed,
    identified,
    kmsi_answered,
    new_flow,
    password_change_required,
    password_changed,
    use_another_account,
)

NOW = datetime(2030, 1, 1, tzinfo=UTC)
PROMPT = ConsentPrompt("t", "c", "Client", "r", "Resource", ("User.Read",), ("Sign in (User.Read)",))


def flow(state: FlowState = FlowState.IDENTIFY, *, allow_sso: bool = True) -> SignInFlow:
    """A flow of /authorize entering at `state`."""
    origin = FlowOrigin(FlowKind.AUTHORIZE, "contoso.example", None, "client", {"state": "s"})
    return new_flow(b"h" * 32, origin, NOW, FlowEntry(state, allow_sso=allow_sso))


def test_happy_path() -> None:
    """identify → password → kmsi → consent (prompt, accepted) → complete."""
    f = identified(flow(), "alice@contoso.example")
    assert (f.state, f.username) == (FlowState.PASSWORD, "alice@contoso.example")
    f = authenticated(f, "user", "session")
    assert (f.state, f.user_id, f.session_id) == (FlowState.KMSI, "user", "session")
    f = kmsi_answered(f)
    f = consent_given(consent_needed(f, PROMPT))
    assert f.consented and f.consent is None
    assert completed(f).state is FlowState.COMPLETE


def test_forced_password_change() -> None:
    """password → password_change (the user known, no session) → kmsi with the new session; only for the
    flow's own user; "use another account" forgets the user."""
    f = password_change_required(identified(flow(), "alice@contoso.example"), "user")
    assert (f.state, f.user_id, f.session_id) == (FlowState.PASSWORD_CHANGE, "user", None)
    with pytest.raises(FlowStateError):
        password_changed(f, "someone-else", "session")
    changed = password_changed(f, "user", "session")
    assert (changed.state, changed.user_id, changed.session_id) == (FlowState.KMSI, "user", "session")
    back = use_another_account(f)
    assert (back.state, back.username, back.user_id, back.allow_sso) == (FlowState.IDENTIFY, None, None, False)


def test_expiry() -> None:
    """A flow lives `FLOW_LIFETIME` (AADSTS50089 afterwards)."""
    f = flow()
    assert not f.is_expired(NOW + FLOW_LIFETIME - timedelta(seconds=1))
    assert f.is_expired(NOW + FLOW_LIFETIME)


@pytest.mark.parametrize(
    ("state", "transition"),
    [
        (FlowState.IDENTIFY, lambda f: authenticated(f, "u", "s")),
        (FlowState.IDENTIFY, kmsi_answered),
        (FlowState.PASSWORD, kmsi_answered),
        (FlowState.KMSI, lambda f: identified(f, "x")),
        (FlowState.KMSI, lambda f: consent_needed(f, PROMPT)),
        (FlowState.PASSWORD, completed),
        (FlowState.CONSENT, consent_given),
        (FlowState.COMPLETE, lambda f: failed(f, Aadsts.UserDeclinedConsent)),
        (FlowState.KMSI, lambda f: password_change_required(f, "u")),
        (FlowState.PASSWORD, lambda f: password_changed(f, "u", "s")),
        (FlowState.PASSWORD_CHANGE, kmsi_answered),
        (FlowState.PASSWORD_CHANGE, lambda f: authenticated(f, "u", "s")),
        (FlowState.PASSWORD_CHANGE, lambda f: identified(f, "x")),
        (FlowState.PASSWORD_CHANGE, lambda f: consent_needed(f, PROMPT)),
        (FlowState.PASSWORD_CHANGE, completed),
    ],
)
def test_out_of_order_transitions_are_refused(state: FlowState, transition: Callable[[SignInFlow], SignInFlow]) -> None:
    """Each transition checks the state it starts from."""
    with pytest.raises(FlowStateError):
        transition(flow(state))


def test_account_picker_needs_sso_allowed() -> None:
    """After prompt=login or "use another account", the signed-in account cannot be picked."""
    with pytest.raises(FlowStateError):
        account_selected(flow(allow_sso=False), "u", "s")
    assert not use_another_account(flow(FlowState.PASSWORD)).allow_sso


def test_failure_records_the_code() -> None:
    """A declined consent ends the flow with its AADSTS code."""
    f = failed(consent_needed(kmsi_answered(flow(FlowState.KMSI)), PROMPT), Aadsts.UserDeclinedConsent)
    assert (f.state, f.error_code, f.consent) == (FlowState.FAILED, Aadsts.UserDeclinedConsent, None)
