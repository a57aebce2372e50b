"""Conditional access at the token endpoint (issue 12 §4): ROPC and refresh cannot show a page, so a policy
that blocks answers 53003 and one that asks for MFA answers 50076 (50079 when the user has no method yet),
each with Entra's `suberror` and `capolids` claims challenge; a policy for another app, a disabled one and a
report-only one change nothing; the sign-in log lists each policy's result."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from grants.helpers import form_of
from grants.world import OIDC, ORDERS_URI, PASSWORD, GrantsWorld
from protocol.conftest import TokenPoster, assert_entra_error
from tenantry.app import Services
from tenantry.common.ids import new_guid
from tenantry.conditional_access.models import (
    ApplicationCondition,
    ConditionalAccessPolicy,
    Conditions,
    GrantControl,
    GrantControls,
    PolicyState,
    UserCondition,
)
from tenantry.directory.models import User
from tenantry.sessions.mfa import AuthMethod, MethodType, new_totp_secret, seal_secret
from tenantry.signins.models import SignInQuery

SCOPE = f"{ORDERS_URI}/Orders.Read {OIDC} offline_access"


def add_policy(
    services: Services,
    world: GrantsWorld,
    *controls: GrantControl,
    apps: tuple[str, ...] = ("All",),
    state: PolicyState = PolicyState.ENABLED,
    users: tuple[str, ...],
) -> ConditionalAccessPolicy:
    """Store a policy of the grants tenant (for the test's own users: the tenant outlives the test)."""
    policy = ConditionalAccessPolicy(
        id=new_guid(),
        tenant_id=world.tenant.id,
        display_name=f"policy {len(controls)} {state}",
        state=state,
        conditions=Conditions(UserCondition(include_users=users), ApplicationCondition(apps)),
        grant_controls=GrantControls("OR", controls),
        created_at=services.clock.now(),
    )
    with services.store.transaction(write=True) as unit:
        unit.add_ca_policy(policy)
    return policy


def ropc(world: GrantsWorld, token: TokenPoster, user: User, correlation: str = "") -> Any:
    """MSAL's ROPC request through the public `native` client."""
    form = form_of(world.native, "password", username=user.user_principal_name, password=PASSWORD, scope=SCOPE)
    return token(world.token_path(), form, headers={"client-request-id": correlation or new_guid()})


def with_authenticator(services: Services, user: User) -> None:
    """Register an authenticator app for the user."""
    method = AuthMethod(
        new_guid(),
        user.tenant_id,
        user.id,
        MethodType.SOFTWARE_OATH,
        "Authenticator app",
        services.clock.now(),
        sealed_secret=seal_secret(services.master_key, new_totp_secret()),
    )
    with services.store.transaction(write=True) as unit:
        unit.add_auth_method(method)


def challenge(body: dict[str, Any]) -> list[str]:
    """The policy ids of the `claims` challenge (a JSON-encoded string, as Entra sends)."""
    claims = json.loads(body["claims"])
    assert claims["access_token"]["capolids"]["essential"] is True
    return list(claims["access_token"]["capolids"]["values"])


def test_mfa_policy_for_the_app(grants: GrantsWorld, token: TokenPoster, services: Services) -> None:
    """A user with an authenticator app gets 50076, one without 50079, both `basic_action` with the policy
    in `capolids`; a policy for another app leaves the sign-in alone."""
    registered, plain, untouched = grants.new_user("registered"), grants.new_user("plain"), grants.new_user("other")
    ours = (registered.id, plain.id, untouched.id)
    other = add_policy(services, grants, GrantControl.MFA, apps=(new_guid(),), users=ours)
    assert ropc(grants, token, untouched).status_code == 200
    policy = add_policy(services, grants, GrantControl.MFA, apps=(grants.native.client_id,), users=ours[:2])
    with_authenticator(services, registered)
    body = assert_entra_error(ropc(grants, token, registered), 50076, 400, "invalid_grant")
    assert body["suberror"] == "basic_action" and challenge(body) == [policy.id]
    body = assert_entra_error(ropc(grants, token, plain), 50079, 400, "invalid_grant")
    assert body["suberror"] == "basic_action" and challenge(body) == [policy.id]
    assert other.id not in body["claims"]


def test_policy_on_the_resource(grants: GrantsWorld, token: TokenPoster, services: Services) -> None:
    """A policy naming the API (the token's resource) applies to every client asking for it."""
    user = grants.new_user("api")
    add_policy(services, grants, GrantControl.BLOCK, apps=(grants.orders.app_id,), users=(user.id,))
    body = assert_entra_error(ropc(grants, token, user), 53003, 400, "invalid_grant")
    assert body["suberror"] == "message_only" and challenge(body)


def test_block_exclusion_disabled_and_report_only(grants: GrantsWorld, token: TokenPoster, services: Services) -> None:
    """Block → 53003 for everyone but the excluded user; disabled and report-only blocks do nothing."""
    excluded = grants.new_user("excluded")
    blocked = grants.new_user("blocked")
    both = (excluded.id, blocked.id)
    add_policy(services, grants, GrantControl.BLOCK, state=PolicyState.DISABLED, users=both)
    add_policy(services, grants, GrantControl.BLOCK, state=PolicyState.REPORT_ONLY, users=both)
    assert ropc(grants, token, blocked).status_code == 200
    policy = add_policy(services, grants, GrantControl.BLOCK, users=both)
    with services.store.transaction(write=True) as unit:
        stored = unit.find_ca_policy(grants.tenant.id, policy.id)
        assert stored is not None
        users = UserCondition(include_users=both, exclude_users=(excluded.id,))
        unit.update_ca_policy(replace(stored, conditions=replace(stored.conditions, users=users)))
    assert_entra_error(ropc(grants, token, blocked), 53003, 400, "invalid_grant")
    assert ropc(grants, token, excluded).status_code == 200


def test_sign_in_log_lists_each_policy(grants: GrantsWorld, token: TokenPoster, services: Services) -> None:
    """A refused sign-in logs `failure` and the blocking policy; a report-only one is logged and not
    enforced (`reportOnlyFailure`); a sign-in no enforced policy applied to is `notApplied`."""
    user = grants.new_user("logged")
    report = add_policy(services, grants, GrantControl.BLOCK, state=PolicyState.REPORT_ONLY, users=(user.id,))
    ok, refused = new_guid(), new_guid()
    assert ropc(grants, token, user, ok).status_code == 200
    block = add_policy(services, grants, GrantControl.BLOCK, users=(user.id,))
    assert ropc(grants, token, user, refused).status_code == 400
    services.sign_ins.flush()
    entries = {e.correlation_id: e for e in services.sign_ins.list(SignInQuery(grants.tenant.id))}
    success, failure = entries[ok], entries[refused]
    assert success.succeeded and success.conditional_access_status == "notApplied"
    ours = {report.id, block.id}
    assert [(p.id, p.result) for p in success.applied_conditional_access_policies if p.id in ours] == [
        (report.id, "reportOnlyFailure")
    ]
    assert failure.status_error_code == 53003 and failure.conditional_access_status == "failure"
    results = {
        p.id: (p.result, p.enforced_grant_controls) for p in failure.applied_conditional_access_policies if p.id in ours
    }
    assert results == {report.id: ("reportOnlyFailure", ("block",)), block.id: ("failure", ("block",))}


def test_refresh_is_evaluated_each_time(grants: GrantsWorld, token: TokenPoster, services: Services) -> None:
    """A refresh token from before a policy is refused by it (the sign-in had no MFA; the user has no
    method yet: 50079)."""
    user = grants.new_user("refreshing")
    first = ropc(grants, token, user)
    assert first.status_code == 200, first.text
    policy = add_policy(services, grants, GrantControl.MFA, users=(user.id,))
    form = form_of(grants.native, "refresh_token", refresh_token=first.json()["refresh_token"])
    body = assert_entra_error(token(grants.token_path(), form), 50079, 400, "invalid_grant")
    assert challenge(body) == [policy.id]


def test_password_change_policy(grants: GrantsWorld, token: TokenPoster, services: Services) -> None:
    """passwordChange: 50055 (`user_password_expired`) until the password changes after the policy."""
    user = grants.new_user("changer")
    add_policy(services, grants, GrantControl.PASSWORD_CHANGE, users=(user.id,))
    body = assert_entra_error(ropc(grants, token, user), 50055, 400, "user_password_expired")
    assert body["suberror"] == "user_password_expired"
    grants.update_user(user, password_changed_at=services.clock.now() + timedelta(seconds=1))
    assert ropc(grants, token, user).status_code == 200
