"""NUL in what the STS and the sign-in pages look up in the database, on SQLite and PostgreSQL alike (issue 9,
item 2): PostgreSQL text cannot hold NUL, so a NUL reaching a query would be a 500 there.

The token endpoint's form parsing and the sign-in pages' form reading refuse NUL as AADSTS90100 before any
lookup (a malformed parameter; Entra's answer to a parameter it cannot read); this proves it on both backends
for the values that are looked up: `client_id` and `scope` at /token, the username and password on the pages.
Home-realm discovery (`/common/userrealm/{upn}`) looked the domain up as given: a NUL there was a 500 on
PostgreSQL; a domain holding a control character is now simply unknown (404), as any other unknown domain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from signin.browser import Browser, assert_error_page
from support.postgres import fresh_postgres_database, require_postgres
from tenantry.app import build_services, create_app
from tenantry.config import Settings
from tenantry.errors import Aadsts

from .conftest import BASE_URL, Client, Factory, Sensitive, TestClient, TokenPoster, assert_entra_error, secret_form

DOMAIN = "controls.example"
API_URI = "api://controls/api"
REDIRECT = "https://app.controls.example/signin-oidc"
PASSWORD = "Controls-Passw0rd!"


@dataclass(frozen=True)
class Site:
    """A running app on one backend: token poster, a confidential client, a web app for the sign-in pages."""

    token: TokenPoster
    client: Client
    web_client_id: str
    tenant_id: str

    @property
    def token_path(self) -> str:
        """The tenant's v2 token endpoint."""
        return f"/{self.tenant_id}/oauth2/v2.0/token"

    def browser(self) -> Browser:
        """A browser with a cookie jar of its own on this site's app."""
        return Browser(self.token.client.app)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sensitive: Sensitive
) -> Iterator[Site]:
    """The app on SQLite, then on a fresh PostgreSQL database that is dropped afterwards."""
    home: Path = tmp_path_factory.mktemp(f"controls-{request.param}")
    with ExitStack() as stack:
        postgres = request.param == "postgresql"
        url = stack.enter_context(fresh_postgres_database(require_postgres())) if postgres else None
        services = build_services(Settings(home=home, database_url=url))
        stack.callback(services.store.dispose)
        factory = Factory(services, sensitive)
        tenant = factory.tenant("Controls", [DOMAIN])
        factory.api(tenant, "Controls API", API_URI)
        client = factory.client(tenant, "Controls daemon")
        web = services.apps.create_app(tenant.id, "Controls web", redirect_uris=(("web", REDIRECT),))
        services.users.create_user(tenant.id, f"alice@{DOMAIN}", PASSWORD)
        app = create_app(services, public_url=BASE_URL)
        http = stack.enter_context(TestClient(app, base_url=BASE_URL, raise_server_exceptions=False))
        yield Site(TokenPoster(http, sensitive), client, web.app_id, tenant.id)


@pytest.mark.parametrize("parameter", ["client_id", "scope", "client_secret", "grant_type"])
def test_nul_in_a_token_parameter_is_aadsts90100(site: Site, parameter: str) -> None:
    """`client_id=a%00b` (and the other parameters): AADSTS90100 naming the parameter, never a 500."""
    form = secret_form(site.client, scope=f"{API_URI}/.default")
    form[parameter] = "a\x00b"
    body = assert_entra_error(site.token(site.token_path, form), 90100, 400, "invalid_request")
    assert f"'{parameter}'" in body["error_description"]


def test_nul_in_the_sign_in_username_or_password_is_aadsts90100(site: Site) -> None:
    """The username page and the password page refuse a NUL before looking anyone up."""
    browser = site.browser()
    params = {"client_id": site.web_client_id, "response_type": "code", "redirect_uri": REDIRECT, "scope": "openid"}
    page = browser.to_our_pages(browser.get(f"/{site.tenant_id}/oauth2/v2.0/authorize", params=params))
    assert_error_page(browser.submit(page, "/login", username=f"alice\x00@{DOMAIN}", action="next"), 90100)

    page = browser.to_our_pages(browser.get(f"/{site.tenant_id}/oauth2/v2.0/authorize", params=params))
    password_page = browser.to_our_pages(browser.submit(page, "/login", username=f"alice@{DOMAIN}", action="next"))
    assert "/login/password" in password_page.text
    refused = browser.submit(password_page, "/login/password", password="a\x00b", action="sign_in")
    assert_error_page(refused, Aadsts.InvalidRequestParameter)


def test_nul_in_a_home_realm_domain_is_an_unknown_domain(site: Site) -> None:
    """`/common/userrealm/alice@contoso%00.example`: the JSON 404 of an unknown domain on both backends; the
    user part is never looked up, so a NUL there changes nothing."""
    response = site.token.client.get(f"/common/userrealm/alice@{DOMAIN}%00?api-version=1.0")
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "not_found"
    response = site.token.client.get(f"/common/userrealm/al%00ice@{DOMAIN}?api-version=1.0")
    assert (response.status_code, response.json()["account_type"]) == (200, "Managed")
