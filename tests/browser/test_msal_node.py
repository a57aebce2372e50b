"""@azure/msal-node's `PublicClientApplication`, unmodified, through the real sign-in pages in Chromium:
`getAuthCodeUrl` with PKCE, state and nonce; `acquireTokenByCode` (checks state and the id_token nonce);
`acquireTokenSilent` from its cache and with `forceRefresh` (msal-compat §1.7, §3, §5).

The test installs msal-node with npm itself (skipped without node/npm, or when the install fails,
unless TENANTRY_REQUIRE_NODE=1), and trusts the server's CA through NODE_EXTRA_CA_CERTS.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

import pytest

from support.npm import NodeUnavailableError, node_required
from support.tokens import decode_unverified, verify_rs256
from tenantry.directory.models import User

from .conftest import PASSWORD, Live
from .msal_node import NodeAuthCode, ensure_msal_node
from .pages import Loopback, SignInPages

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

SCOPES = "User.Read offline_access openid profile"


@pytest.fixture(scope="module")
def msal_node_dir() -> Path:
    """Where @azure/msal-node is installed (installing it on first use)."""
    try:
        return ensure_msal_node()
    except NodeUnavailableError as exc:
        if node_required():
            pytest.fail(f"TENANTRY_REQUIRE_NODE=1 but {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture
def node_client(live: Live, msal_node_dir: Path, loopback: Loopback) -> Iterator[NodeAuthCode]:
    """auth_code.mjs for the desktop app, trusting the server's CA, with no proxy for localhost."""
    proxies = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    env = {name: value for name, value in os.environ.items() if name.lower() not in proxies}
    env.update(
        NODE_EXTRA_CA_CERTS=str(live.server.ca_path),
        NO_PROXY="localhost,127.0.0.1",
        TENANTRY_AUTHORITY=live.authority,
        TENANTRY_CLIENT_ID=live.desktop.app_id,
        TENANTRY_REDIRECT_URI=loopback.redirect_uri,
        TENANTRY_SCOPES=SCOPES,
    )
    client = NodeAuthCode(msal_node_dir, env)
    try:
        yield client
    finally:
        client.close()


def test_msal_node_auth_code_silent_and_refresh(
    live: Live,
    node_client: NodeAuthCode,
    page: Page,
    pages: SignInPages,
    loopback: Loopback,
    make_user: Callable[..., User],
) -> None:
    """msal-node's URL works as is in the browser; its code redemption, nonce check, account (environment
    `host:port`, realm = tid), cache lookup and refresh all succeed against Tenantry."""
    user = make_user("node", "Noel Node")
    start = node_client.authorize_url()
    sent = dict(parse_qsl(urlsplit(start["url"]).query))
    assert start["url"].startswith(f"{live.authority}/oauth2/v2.0/authorize?")
    assert (sent["code_challenge_method"], sent["state"], sent["nonce"]) == ("S256", start["state"], start["nonce"])

    page.goto(start["url"])
    pages.sign_in(user.user_principal_name, PASSWORD, stay=False)
    pages.consent(accept=True)
    reply = loopback.reply()
    live.server.guard.watch("authorization code", reply.get("code", ""))
    answer = node_client.redeem(reply)
    assert "error" not in answer, answer
    result, cached, refreshed = answer["result"], answer["cached"], answer["refreshed"]
    for summary in (result, refreshed):
        live.server.guard.watch("access token", summary["accessToken"])
        live.server.guard.watch("id token", summary["idToken"])

    claims = verify_rs256(result["idToken"], live.jwks()).claims
    assert claims["nonce"] == start["nonce"] and claims["aud"] == live.desktop.app_id
    assert (claims["oid"], claims["tid"], claims["preferred_username"]) == (
        user.id,
        live.tenant.id,
        user.user_principal_name,
    )
    account = result["account"]
    assert account["homeAccountId"] == f"{user.id}.{live.tenant.id}"
    assert account["environment"] == f"localhost:{live.server.port}"
    assert (account["tenantId"], account["username"], account["name"]) == (
        live.tenant.id,
        user.user_principal_name,
        "Noel Node",
    )
    assert decode_unverified(result["accessToken"]).claims["scp"] == "User.Read"
    assert "User.Read" in result["scopes"]
    assert not result["fromCache"]
    assert cached["fromCache"] and cached["accessToken"] == result["accessToken"]
    assert not refreshed["fromCache"] and refreshed["accessToken"] != result["accessToken"]
