"""Seamless SSO from a native client: kinit, then requests-gssapi answers the SSO endpoint's 401 Negotiate,
the authorize flow completes without a password, and unmodified MSAL Python redeems the code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import msal
import pytest

from support.live_server import LiveServer, free_port

from .client import REDIRECT_URI, follow, session, sign_in
from .conftest import DOMAIN, KDC_PASSWORD, Realm

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
    for url in outcome.visited:  # the proof of the accepted ticket is a one-time secret: never in the logs
        proof = dict(parse_qsl(urlsplit(url).query)).get("proof")
        if proof:
            realm.server.guard.watch("seamless SSO proof", proof)
    paths = [p.split("?")[0] for p in outcome.visited]
    assert f"/{realm.tenant_id}/winauth/sso" in [p.removeprefix(realm.base_url) for p in paths], outcome.visited
    assert not [p for p in paths if p.endswith("/login/password")], outcome.visited
    assert result is not None and "access_token" in result, (outcome.visited, outcome.response.text[:500], result)
    claims = result["id_token_claims"]
    assert claims["preferred_username"].lower() == upn.lower()
    assert realm.sign_ins(SUCCESS, upn)


@pytest.fixture
def split_hosts(realm: Realm) -> Iterator[LiveServer]:
    """A server whose sign-in host is `127.0.0.1` and whose SSO endpoint is `localhost` (TENANTRY_SSO_URL):
    the SSO host is another name, as Entra's autologon host is, so no cookie crosses from one to the other."""
    port = free_port()
    settings = {"TENANTRY_PUBLIC_URL": f"https://127.0.0.1:{port}", "TENANTRY_SSO_URL": f"https://localhost:{port}"}
    server = LiveServer(realm.home, port, settings=settings)
    server._log_path = realm.home / "split-server-output.log"  # the package's server keeps its own file
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_sso_url_on_another_host_name(realm: Realm, split_hosts: LiveServer, ticket: Path) -> None:
    """Only the SSO host challenges; the proof brings the browser back to the sign-in host's session."""
    principal, upn = realm.new_user("split")
    realm.kdc.kinit(principal, KDC_PASSWORD, ticket)
    authority = f"https://127.0.0.1:{split_hosts.port}/{realm.tenant_id}"
    outcome, result = sign_in(authority, realm.app_id, upn, str(realm.server.ca_path))
    hosts = [urlsplit(url).hostname for url in outcome.visited]
    sso = [url for url in outcome.visited if "/winauth/sso" in url]
    assert sso and all(urlsplit(url).hostname == "localhost" for url in sso), outcome.visited
    assert set(hosts) == {"127.0.0.1", "localhost"}
    assert result is not None and "access_token" in result, (outcome.visited, result)


def test_domain_hint_alone_lets_the_ticket_name_the_user(realm: Realm, ticket: Path) -> None:
    """`domain_hint` of the tenant and no username: the Kerberos step comes first, the ticket's user is
    signed in; without a ticket the username page follows (there is no username to ask a password for)."""
    principal, upn = realm.new_user("domainhint")
    realm.kdc.kinit(principal, KDC_PASSWORD, ticket)
    app = msal.PublicClientApplication(
        realm.app_id, authority=f"{realm.base_url}/{realm.tenant_id}", instance_discovery=False
    )
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT_URI, domain_hint=DOMAIN)
    outcome = follow(session(str(realm.server.ca_path)), flow["auth_uri"])
    assert outcome.reply is not None and any("/winauth/sso" in url for url in outcome.visited), outcome.visited
    result = app.acquire_token_by_auth_code_flow(flow, outcome.reply)
    assert result["id_token_claims"]["preferred_username"].lower() == upn.lower(), result

    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT_URI, domain_hint=DOMAIN)
    client = session(str(realm.server.ca_path), negotiate=False)
    challenged = follow(client, flow["auth_uri"])
    assert challenged.response.status_code == 401
    fallback = challenged.visited[-1].replace(urlsplit(challenged.visited[-1]).path, "/login/winauth/fallback")
    fallback = fallback.split("&")[0]
    page = follow(client, fallback)
    assert page.page_path == "/login" and 'name="username"' in page.response.text, page.visited


def test_home_realm_discovery_says_desktop_sso(realm: Realm) -> None:
    """`/common/userrealm/{upn}`: `EstsProperties.DesktopSsoEnabled` for the tenant with seamless SSO only,
    which is how a native client learns it may present its ticket at the SSO endpoint."""
    client = session(str(realm.server.ca_path), negotiate=False)
    ours = client.get(f"{realm.base_url}/common/userrealm/anyone@{DOMAIN}?api-version=1.0").json()
    assert ours["account_type"] == "Managed" and ours["EstsProperties"] == {"DesktopSsoEnabled": True}
    other = client.get(f"{realm.base_url}/common/userrealm/anyone@fabrikam.example?api-version=1.0").json()
    assert other["account_type"] == "Managed" and "EstsProperties" not in other
