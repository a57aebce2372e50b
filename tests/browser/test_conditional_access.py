"""Issue 12's conditional access test in a real browser: a policy requires MFA for the desktop app. MSAL
Python's `acquire_token_interactive` in headless Chromium signs in with a password, is sent to authenticator
enrolment by the policy (the secret read as text), passes the TOTP page and gets a token with `amr` `mfa`.
Then ROPC against the same app cannot show a page: the token endpoint answers 50076 with the policy in its
`claims` challenge, and msal-node's `acquireTokenByUsernamePassword` raises `InteractionRequiredAuthError`.
"""

from __future__ import annotations

import json
import os
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pyotp
import pytest

from support.npm import NodeUnavailableError, node_required
from support.tokens import decode_unverified
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

from .conftest import PASSWORD, Live
from .msal_node import ensure_msal_node, node_ropc
from .pages import SignInPages
from .test_password_change import SCOPES, Interactive, finish

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser]


def require_mfa_for_desktop(live: Live, user: User) -> ConditionalAccessPolicy:
    """An enabled policy: `user` signing in to the desktop app needs multifactor authentication."""
    policy = ConditionalAccessPolicy(
        id=new_guid(),
        tenant_id=live.tenant.id,
        display_name="Require MFA for Contoso Desktop",
        state=PolicyState.ENABLED,
        conditions=Conditions(UserCondition(include_users=(user.id,)), ApplicationCondition((live.desktop.app_id,))),
        grant_controls=GrantControls("OR", (GrantControl.MFA,)),
        created_at=live.services.clock.now(),
    )
    with live.services.store.transaction(write=True) as unit:
        unit.add_ca_policy(policy)
    return policy


def msal_node_dir() -> Path | None:
    """msal-node's install, or None when it cannot be had here (a failure under TENANTRY_REQUIRE_NODE=1)."""
    try:
        return ensure_msal_node()
    except NodeUnavailableError as exc:
        if node_required():
            pytest.fail(f"TENANTRY_REQUIRE_NODE=1 but {exc}", pytrace=False)
        return None


@pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")
def test_policy_sends_msal_to_the_totp_pages_and_ropc_is_interaction_required(
    env: Live,
    page: Page,
    pages: SignInPages,
    make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Password → "Stay signed in?" → enrolment (the policy) → TOTP → consent → token with `mfa`; then ROPC:
    50076 + `basic_action` + `capolids` on the wire, `InteractionRequiredAuthError` in msal-node."""
    carol = make_user("carol", "Carol Conditional")
    policy = require_mfa_for_desktop(env, carol)
    app = env.msal_app()

    flow = Interactive(app, monkeypatch, login_hint=carol.user_principal_name)
    page.goto(flow.auth_uri())
    pages.expect_heading("Sign in")
    pages.enter_username(carol.user_principal_name)
    pages.expect_heading("Enter password")
    pages.enter_password(PASSWORD)
    pages.expect_heading("Stay signed in?")
    pages.stay_signed_in(stay=False)
    pages.expect_heading("Set up your authenticator app")
    secret = page.locator("#secret").input_value()
    env.server.guard.watch("totp secret", secret)
    page.locator("#otc").fill(pyotp.TOTP(secret).now())
    page.locator("#verify").click()
    pages.expect_heading("Stay signed in?")
    pages.stay_signed_in(stay=False)
    pages.expect_heading("Permissions requested")
    pages.consent(accept=True)
    result = finish(page, flow, env)
    assert sorted(decode_unverified(result["access_token"]).claims["amr"]) == ["mfa", "pwd"]

    form = {
        "grant_type": "password",
        "client_id": env.desktop.app_id,
        "username": carol.user_principal_name,
        "password": PASSWORD,
        "scope": " ".join(SCOPES),
    }
    context = ssl.create_default_context(cafile=str(env.server.ca_path))
    with httpx.Client(verify=context, timeout=10.0) as client:  # MSAL Python's ROPC needs port 443 (realm discovery)
        refused = client.post(f"{env.authority}/oauth2/v2.0/token", data=form).json()
    assert refused.get("error_codes") == [50076], refused
    assert refused["suberror"] == "basic_action"
    assert json.loads(refused["claims"])["access_token"]["capolids"]["values"] == [policy.id]

    module_dir = msal_node_dir()
    if module_dir is None:
        pytest.skip("msal-node is not available here (the rest passed)")
    proxies = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    node_env = {name: value for name, value in os.environ.items() if name.lower() not in proxies}
    node_env.update(
        NODE_EXTRA_CA_CERTS=str(env.server.ca_path),
        NO_PROXY="localhost,127.0.0.1",
        TENANTRY_AUTHORITY=env.authority,
        TENANTRY_CLIENT_ID=env.desktop.app_id,
        TENANTRY_SCOPES=" ".join(SCOPES),
        TENANTRY_USERNAME=carol.user_principal_name,
        TENANTRY_PASSWORD=PASSWORD,
    )
    answer = node_ropc(module_dir, node_env)
    assert answer.get("interactionRequired") is True, answer
    assert (str(answer["errorNo"]), answer["subError"]) == ("50076", "basic_action"), answer
    assert policy.id in (answer.get("claims") or "")
