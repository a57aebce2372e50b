"""Seamless SSO from a native client: kinit, then requests-gssapi answers the SSO endpoint's 401 Negotiate,
the authorize flow completes without a password, and unmodified MSAL Python redeems the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from .client import sign_in
from .conftest import KDC_PASSWORD, Realm

pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")
SUCCESS = 0


@pytest.fixture
def ticket(realm: Realm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test process is the Kerberos client: the realm's profile, and a cache of the test's own."""
    ccache = tmp_path / "ccache"
    for name, value in realm.kdc.client_env(ccache).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(realm.server.ca_path))
    return ccache


def test_kinit_then_negotiate_signs_in_without_a_password(realm: Realm, ticket: Path) -> None:
    """The flow goes username hint → SSO endpoint (401, then the ticket) → session (amr wia) → code;
    MSAL redeems it, and the sign-in log and audit show the Kerberos sign-in."""
    principal, upn = realm.new_user("alice")
    realm.kdc.kinit(principal, KDC_PASSWORD, ticket)
    outcome, result = sign_in(f"{realm.base_url}/{realm.tenant_id}", realm.app_id, upn, str(realm.server.ca_path))
    paths = [p.split("?")[0] for p in outcome.visited]
    assert f"/{realm.tenant_id}/winauth/sso" in [p.removeprefix(realm.base_url) for p in paths], outcome.visited
    assert not [p for p in paths if p.endswith("/login/password")], outcome.visited
    assert result is not None and "access_token" in result, (outcome.visited, outcome.response.text[:500], result)
    claims = result["id_token_claims"]
    assert claims["preferred_username"].lower() == upn.lower()
    assert realm.sign_ins(SUCCESS, upn)
