"""Every way seamless SSO can fail lands silently on the password page and leaves its code in the sign-in log
(seed 003: "the user will simply be asked for a password"): 81004 clock skew, 81005 NTLM, 81006 no answer
to the challenge, 81007 SSO disabled, 81009 a malformed header, 81010 an expired ticket, a key version the
server does not hold, or a replayed token, 81011 a principal no user maps to, 81012 another user's ticket."""

from __future__ import annotations

import base64
import html
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import gssapi
import pytest
import spnego

from support.kdc import shift_clock
from support.live_server import LiveServer, free_port

from .client import follow, present, session, sign_in, to_sso_endpoint
from .conftest import KDC_PASSWORD, SPN, Realm, tenantry, tenantry_text

pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")
SPNEGO = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")
PASSWORD_PAGE = "/login/password"


@pytest.fixture
def client_env(realm: Realm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test process as a Kerberos client of the realm; the folder for its caches."""
    for name, value in realm.kdc.client_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(realm.server.ca_path))
    return tmp_path


def _cache(realm: Realm, folder: Path, principal: str, monkeypatch: pytest.MonkeyPatch, **kinit: str) -> Path:
    ccache = folder / f"cc-{principal.split('@')[0]}"
    realm.kdc.kinit(principal, KDC_PASSWORD, ccache, **kinit)
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{ccache}")
    return ccache


def _token() -> str:
    """A fresh SPNEGO token for HTTP@localhost from the cache in KRB5CCNAME (what a browser would send)."""
    name = gssapi.Name("HTTP@localhost", gssapi.NameType.hostbased_service)
    token = gssapi.SecurityContext(name=name, usage="initiate", mech=SPNEGO).step()
    assert token is not None
    return "Negotiate " + base64.b64encode(token).decode("ascii")


def _start(realm: Realm, upn: str) -> tuple[object, str]:
    client = session(str(realm.server.ca_path), negotiate=False)
    return client, to_sso_endpoint(client, f"{realm.base_url}/{realm.tenant_id}", realm.app_id, upn)


def _lands_on_password_page(realm: Realm, location: str, code: int, upn: str) -> None:
    assert urlsplit(location).path == PASSWORD_PAGE, location
    entries = realm.sign_ins(code, upn)
    assert entries, f"no {code} in the sign-in log for {upn}"
    assert entries[0].status_error_code == code and entries[0].client_app_used == "Browser"


def test_unknown_principal_is_81011(realm: Realm, client_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid ticket of a principal no user of the tenant is mapped to."""
    principal, _ = realm.new_user("stranger", map_to="")
    _, upn = realm.new_user("chosen")
    _cache(realm, client_env, principal, monkeypatch)
    outcome, result = sign_in(f"{realm.base_url}/{realm.tenant_id}", realm.app_id, upn, str(realm.server.ca_path))
    assert result is None and outcome.page_path == PASSWORD_PAGE and outcome.response.status_code == 200
    _lands_on_password_page(realm, outcome.visited[-1], 81011, upn)


def test_another_users_ticket_is_81012(realm: Realm, client_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Alice's ticket while Bob was chosen on the username page."""
    alice, _ = realm.new_user("alice")
    _, bob = realm.new_user("bob")
    _cache(realm, client_env, alice, monkeypatch)
    outcome, result = sign_in(f"{realm.base_url}/{realm.tenant_id}", realm.app_id, bob, str(realm.server.ca_path))
    assert result is None
    _lands_on_password_page(realm, outcome.visited[-1], 81012, bob)


def test_ntlm_is_81005(realm: Realm) -> None:
    """A real NTLM negotiate message (pyspnego's NTLM client), as a browser without a ticket may send."""
    _, upn = realm.new_user("ntlm")
    client, sso_url = _start(realm, upn)
    ntlm = spnego.client("someone", "secret", hostname="localhost", protocol="ntlm").step()
    assert ntlm is not None
    location = present(client, sso_url, "Negotiate " + base64.b64encode(ntlm).decode())  # type: ignore[attr-defined]
    _lands_on_password_page(realm, location, 81005, upn)


def test_malformed_header_is_81009(realm: Realm) -> None:
    """Not base64."""
    _, upn = realm.new_user("garbled")
    client, sso_url = _start(realm, upn)
    _lands_on_password_page(realm, present(client, sso_url, "Negotiate ***"), 81009, upn)  # type: ignore[arg-type]


def test_no_answer_to_the_challenge_is_81006(realm: Realm) -> None:
    """A client without a ticket shows the 401's page, which moves on by itself (no JavaScript)."""
    _, upn = realm.new_user("nokerberos")
    client, sso_url = _start(realm, upn)
    next_url = sso_url
    for _ in range(2):  # challenged twice (a browser may answer only the second), then the password page
        page = client.get(next_url, allow_redirects=False)  # type: ignore[attr-defined]
        assert page.status_code == 401 and page.headers["WWW-Authenticate"] == "Negotiate"
        refresh = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', page.text)
        link = re.search(r'<a id="fallback" href="([^"]+)"', page.text)
        assert refresh and link and refresh.group(1) == link.group(1)
        next_url = html.unescape(link.group(1))
    assert "/login/winauth/fallback" in next_url
    outcome = follow(client, next_url)  # type: ignore[arg-type]
    assert outcome.page_path == PASSWORD_PAGE and outcome.response.status_code == 200
    assert "Enter password" in outcome.response.text
    _lands_on_password_page(realm, outcome.visited[-1], 81006, upn)


def test_clock_skew_is_81004(realm: Realm, client_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kerberos' 5 minutes (the default TENANTRY_SSO_CLOCK_SKEW_SECONDS): a client 4 minutes ahead signs in,
    one 10 minutes ahead gets 81004 (each ticket fetched before its clock drifted)."""
    principal, upn = realm.new_user("drift")
    ccache = _cache(realm, client_env, principal, monkeypatch)
    realm.kdc.service_ticket(SPN, ccache)
    shift_clock(ccache, 240)
    client, sso_url = _start(realm, upn)
    assert urlsplit(present(client, sso_url, _token())).path == "/login/winauth/done"  # type: ignore[arg-type]
    shift_clock(ccache, 600)
    client, sso_url = _start(realm, upn)
    _lands_on_password_page(realm, present(client, sso_url, _token()), 81004, upn)  # type: ignore[arg-type]


def test_a_replayed_token_is_81010(realm: Realm, client_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same AP-REQ twice: the first signs in, the second is refused by the replay cache."""
    principal, upn = realm.new_user("replay")
    _cache(realm, client_env, principal, monkeypatch)
    token = _token()
    client, sso_url = _start(realm, upn)
    assert urlsplit(present(client, sso_url, token)).path == "/login/winauth/done"  # type: ignore[arg-type]
    client, sso_url = _start(realm, upn)
    _lands_on_password_page(realm, present(client, sso_url, token), 81010, upn)  # type: ignore[arg-type]


def test_sso_disabled_is_81007_and_other_tenants_never_try(realm: Realm, client_env: Path) -> None:
    """Disabled while the browser was on its way: 81007. A tenant that never enabled it skips the step."""
    _, upn = realm.new_user("disabled")
    client, sso_url = _start(realm, upn)
    tenantry_text(realm.home, "sso", "disable", "--tenant", realm.tenant_id)
    try:
        _lands_on_password_page(realm, present(client, sso_url, "Negotiate AAAA"), 81007, upn)  # type: ignore[arg-type]
    finally:
        tenantry(realm.home, "sso", "enable", "--tenant", realm.tenant_id, "--realm", realm.kdc.realm,
                 "--keytab", str(realm.keytab))  # fmt: skip
    other = f"user@{'fabrikam.example'}"
    outcome = follow(session(str(realm.server.ca_path)), _authorize_url(realm, realm.other_tenant_id, other))
    assert not [url for url in outcome.visited if "/winauth" in url], outcome.visited


def _authorize_url(realm: Realm, tenant_id: str, upn: str) -> str:
    return (
        f"{realm.base_url}/{tenant_id}/oauth2/v2.0/authorize?client_id={realm.other_app_id}&response_type=code"
        f"&redirect_uri=http%3A%2F%2Flocalhost&scope=openid&login_hint={upn}&code_challenge=x"
        + "x" * 42
        + "&code_challenge_method=S256"
    )


def test_wrong_key_version_is_81010_and_rollover_keeps_the_previous_key(
    realm: Realm, client_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The KDC moves to a key the server was never given: 81010. Importing the next key version (a rollover)
    fixes it, and a ticket under the previous imported key stays valid during the overlap."""
    old_principal, old_upn = realm.new_user("oldkey")
    old_cache = _cache(realm, client_env, old_principal, monkeypatch)
    realm.kdc.service_ticket(SPN, old_cache)  # under the imported kvno
    realm.kdc.new_key_version(SPN)
    principal, upn = realm.new_user("newkey")
    _cache(realm, client_env, principal, monkeypatch)
    client, sso_url = _start(realm, upn)
    _lands_on_password_page(realm, present(client, sso_url, _token()), 81010, upn)  # type: ignore[arg-type]
    realm.kdc.export_keytab(SPN, realm.keytab)
    status = tenantry(realm.home, "sso", "enable", "--tenant", realm.tenant_id, "--realm", realm.kdc.realm,
                      "--keytab", str(realm.keytab))  # fmt: skip
    assert len(status["keyVersions"]) == 2
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{old_cache}")
    outcome, result = sign_in(f"{realm.base_url}/{realm.tenant_id}", realm.app_id, old_upn, str(realm.server.ca_path))
    assert result is not None and "access_token" in result, outcome.visited


@pytest.fixture
def strict_server(realm: Realm) -> Iterator[LiveServer]:
    """A second server on the same data directory tolerating 2 seconds of skew, so that a ticket expires in
    seconds rather than after Kerberos' default 5 minutes of grace."""
    server = LiveServer(realm.home, free_port(), settings={"TENANTRY_SSO_CLOCK_SKEW_SECONDS": "2"})
    server._log_path = realm.home / "strict-server-output.log"  # the first server keeps its own output file
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_an_expired_ticket_is_81010(
    realm: Realm, strict_server: LiveServer, client_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token made while its 4-second ticket was valid, presented once the ticket and the skew have passed."""
    principal, upn = realm.new_user("expired")
    issued = time.monotonic()
    _cache(realm, client_env, principal, monkeypatch, lifetime="4s")
    token = _token()
    client = session(str(realm.server.ca_path), negotiate=False)
    base = strict_server.base_url
    sso_url = to_sso_endpoint(client, f"{base}/{realm.tenant_id}", realm.app_id, upn)
    time.sleep(max(0.0, issued + 4 + 2 + 2 - time.monotonic()))  # lifetime, the server's skew, a margin
    _lands_on_password_page(realm, present(client, sso_url, token), 81010, upn)
