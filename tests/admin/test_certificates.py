"""Certificates & secrets > *Certificates*: an uploaded certificate works at once with MSAL's certificate
client credentials; a self-signed one's private key is shown once, in the POST's answer; delete after a
confirmation page. The role × route rows (with the privileged-app refusal) are in test_app_tabs.py."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import msal
from starlette.applications import Starlette

from signin.browser import BASE_URL, Browser
from support.certs import make_client_certificate
from tenantry.app import Services

from .conftest import Directory

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PRIVATE_KEY = re.compile(r'<textarea id="private-key"[^>]*>(-----BEGIN PRIVATE KEY-----[^<]+)</textarea>')


class MsalHttp:
    """MSAL's `http_client` contract over a TestClient (no socket)."""

    def __init__(self, app: Starlette) -> None:
        self._client = TestClient(app, base_url=BASE_URL, follow_redirects=False)

    def get(self, url: str, params: Mapping[str, Any] | None = None, headers: Any = None, **_: Any) -> httpx.Response:
        """GET, ignoring transport options MSAL may pass."""
        return self._client.get(url, params=params, headers=headers)

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None, **_: Any) -> httpx.Response:
        """POST a form; MSAL passes the client assertion as bytes."""
        if isinstance(data, Mapping):
            data = {k: v.decode("ascii") if isinstance(v, bytes) else v for k, v in data.items()}
        return self._client.post(url, params=params, data=data, headers=headers)

    def close(self) -> None:
        """Nothing to release."""


def _csrf(browser: Browser) -> str:
    found = CSRF.search(browser.get("/admin").text)
    assert found, "no CSRF token on the home page"
    return found.group(1)


def test_an_uploaded_certificate_works_with_msal_at_once(
    services: Services, app: Starlette, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """Paste the PEM; MSAL signs a client assertion with its key (PS256, x5t#S256, x5c) and gets a token."""
    daemon = services.apps.create_app(directory.tenant.id, "Cert daemon")
    services.apps.create_app(directory.tenant.id, "Ledger", identifier_uris=("api://ledger-admin",))
    cert = make_client_certificate("admin center upload")
    browser = signed_in("apps")
    data = {"csrf_token": _csrf(browser), "description": "uploaded", "certificate": cert.certificate_pem}
    answer = browser.post(f"/admin/apps/{daemon.id}/credentials/certificates", data)
    assert answer.status_code == 200 and "Certificate uploaded" in answer.text
    assert cert.sha1_hex.upper() in answer.text
    listed = browser.get(f"/admin/apps/{daemon.id}/credentials?tab=certificates").text
    assert "uploaded" in listed and cert.sha1_hex.upper() in listed
    client = msal.ConfidentialClientApplication(
        daemon.app_id,
        client_credential={"private_key": cert.private_key_pem, "public_certificate": cert.certificate_pem},
        authority=f"{BASE_URL}/{directory.tenant.id}",
        instance_discovery=False,
        http_client=MsalHttp(app),
    )
    result = client.acquire_token_for_client(["api://ledger-admin/.default"])
    assert "access_token" in result, result


def test_an_upload_that_is_not_a_certificate_is_refused_with_the_form_kept(
    signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """A private key, or text, is not a certificate: 400 on the Certificates tab, nothing added."""
    browser = signed_in("apps")
    data = {"csrf_token": _csrf(browser), "description": "wrong", "certificate": "not a certificate"}
    answer = browser.post(f"/admin/apps/{directory.payroll.id}/credentials/certificates", data)
    assert answer.status_code == 400 and "Not a PEM, DER or base64-encoded X.509 certificate" in answer.text
    assert 'aria-current="page">Certificates' in answer.text


def test_a_self_signed_private_key_is_shown_once_in_the_post_answer(
    services: Services, app: Starlette, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The key is in the POST's answer (200, no redirect, no-store), never on a later page; it works with MSAL."""
    daemon = services.apps.create_app(directory.tenant.id, "Self-signed daemon")
    services.apps.create_app(directory.tenant.id, "Ledger 2", identifier_uris=("api://ledger-admin-2",))
    browser = signed_in("apps")
    data = {"csrf_token": _csrf(browser), "description": "made here", "expires": "365"}
    answer = browser.post(f"/admin/apps/{daemon.id}/credentials/certificates/new", data)
    assert answer.status_code == 200 and "will not be shown again" in answer.text
    assert "no-store" in answer.headers["cache-control"]
    key = PRIVATE_KEY.search(answer.text)
    assert key, answer.text[:600]
    pem = key.group(1).replace("&#10;", "\n")
    body = pem.splitlines()[1]
    for route in ("/credentials?tab=certificates", "/credentials", ""):
        assert body not in browser.get(f"/admin/apps/{daemon.id}{route}").text
    certificate = re.search(r'<textarea id="certificate-pem"[^>]*>([^<]+)</textarea>', answer.text)
    assert certificate
    client = msal.ConfidentialClientApplication(
        daemon.app_id,
        client_credential={"private_key": pem, "public_certificate": certificate.group(1)},
        authority=f"{BASE_URL}/{directory.tenant.id}",
        instance_discovery=False,
        http_client=MsalHttp(app),
    )
    assert "access_token" in client.acquire_token_for_client(["api://ledger-admin-2/.default"])
    (made,) = services.credentials.list_credentials(daemon)[1]
    assert made.display_name == "made here"
    assert 364 <= (made.end - made.start).days <= 365


def test_a_certificate_is_deleted_after_a_confirmation_page(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The tab's delete link → "Delete certificate?" → Delete → back to the tab (303), the certificate gone."""
    target = services.apps.create_app(directory.tenant.id, "Retiring")
    cert = services.credentials.add_certificate(target, make_client_certificate("retire").certificate_pem.encode())
    browser = signed_in("apps")
    tab = browser.get(f"/admin/apps/{target.id}/credentials?tab=certificates").text
    link = f"/admin/apps/{target.id}/credentials/{cert.key_id}/delete"
    assert f'href="{link}" aria-label="Delete certificate' in tab
    confirm = browser.get(link)
    assert confirm.status_code == 200 and "Delete certificate?" in confirm.text
    done = browser.post(link, {"csrf_token": _csrf(browser)})
    assert done.status_code == 303 and done.headers["location"].endswith("?tab=certificates")
    assert services.credentials.list_credentials(target)[1] == []


def test_an_application_administrator_adds_no_certificate_to_a_privileged_app(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The privileged-app guard, as for a secret: refused with its reason, and nothing is added."""
    from tenantry.apps.first_party import GRAPH_APP_ID

    target = services.apps.create_app(directory.tenant.id, "Role manager")
    target = services.apps.add_permission(target, GRAPH_APP_ID, "RoleManagement.ReadWrite.Directory", "Role")
    services.apps.admin_consent(target)
    browser = signed_in("apps")
    pem = make_client_certificate("privileged").certificate_pem
    for route, data in (("", {"certificate": pem}), ("/new", {"expires": "90"})):
        answer = browser.post(
            f"/admin/apps/{target.id}/credentials/certificates{route}", data | {"csrf_token": _csrf(browser)}
        )
        assert answer.status_code == 403 and "holds privileged access" in answer.text
    assert services.credentials.list_credentials(target)[1] == []
