"""ROPC and MFA (issue 12 §3): a user with an authenticator app, or whose per-user MFA is required, cannot
get tokens with a password alone: AADSTS50076 with `suberror` `basic_action` (MSAL: interaction required),
only once the password is right (a wrong one is still 50126)."""

from __future__ import annotations

from grants.world import PASSWORD, GrantsWorld
from protocol.conftest import TokenPoster, assert_entra_error
from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.common.ids import new_guid
from tenantry.sessions.mfa import AuthMethod, MethodType, new_totp_secret, seal_secret

from .test_password import sign_in


def test_registered_or_required_user_gets_50076(grants: GrantsWorld, token: TokenPoster) -> None:
    """Registered app → 50076; per-user MFA enforced → 50076; a wrong password stays 50126; others sign in."""
    services = grants.services
    registered, required, plain = grants.new_user("totp"), grants.new_user("enforced"), grants.new_user("plain")
    method = AuthMethod(
        new_guid(),
        registered.tenant_id,
        registered.id,
        MethodType.SOFTWARE_OATH,
        "Authenticator app",
        services.clock.now(),
        sealed_secret=seal_secret(services.master_key, new_totp_secret()),
    )
    with services.store.transaction(write=True) as unit:
        unit.add_auth_method(method)
    services.auth_methods.set_mfa_state(required, "enforced", ctx=AuditContext(SYSTEM, services.clock.now()))
    for user in (registered, required):
        answer = sign_in(token, grants, grants.native, user.user_principal_name)
        body = assert_entra_error(answer, 50076, 400, "invalid_grant")
        assert body["suberror"] == "basic_action"
        wrong = sign_in(token, grants, grants.native, user.user_principal_name, PASSWORD + "x")
        assert_entra_error(wrong, 50126, 400, "invalid_grant")
    assert sign_in(token, grants, grants.native, plain.user_principal_name).status_code == 200
