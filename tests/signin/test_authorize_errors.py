"""Every /authorize error of issue 3, over HTTP: status, where it goes, and its fields.

Rule (RFC 6749 §4.1.2.1, style P3): until `client_id` and `redirect_uri` are validated, an error is shown
on Entra's error page and never sent anywhere; after that, codes the catalogue marks redirectable go back
to the redirect URI with `error`, `error_description`, `error_uri` and the exact `state`, in the request's
response mode; the others (50194, 9002332, 7000112, 700016) stay on the error page.
"""

from __future__ import annotations

import uuid

import pytest

from tenantry.errors import Aadsts

from .browser import Browser, assert_error_page, assert_error_reply
from .conftest import NATIVE_REDIRECT, ORDERS_URI, SPA_REDIRECT, WEB_REDIRECT, World

STATE = "st/ate+with=odd&chars"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def code_request(world: World, **overrides: str | None) -> dict[str, str]:
    """A valid code request of the confidential web app; `None` removes a parameter."""
    params: dict[str, str | None] = {
        "client_id": world.web.app_id,
        "response_type": "code",
        "redirect_uri": WEB_REDIRECT,
        "scope": "openid profile",
        "state": STATE,
        **overrides,
    }
    return {k: v for k, v in params.items() if v is not None}


# --------------------------------------------------------------------------------------------------
# Before client_id and redirect_uri are validated: the error page, never a redirect
# --------------------------------------------------------------------------------------------------


def test_unknown_tenant_is_an_error_page(browser: Browser, world: World) -> None:
    """AADSTS90002 for a tenant segment naming no tenant; nothing is redirected."""
    response = browser.get("/nosuch.example/oauth2/v2.0/authorize", params=code_request(world))
    page = assert_error_page(response, Aadsts.InvalidTenantName)
    assert "nosuch.example" in page


def test_missing_client_id_is_an_error_page(browser: Browser, world: World) -> None:
    """AADSTS900144 naming client_id: without a client there is no redirect URI to trust."""
    response = browser.get(world.authorize_path(), params=code_request(world, client_id=None))
    page = assert_error_page(response, Aadsts.MissingRequestParameter)
    assert "&#39;client_id&#39;" in page


def test_unknown_client_is_an_error_page(browser: Browser, world: World) -> None:
    """AADSTS700016 for a client_id no app has."""
    response = browser.get(world.authorize_path(), params=code_request(world, client_id=str(uuid.uuid4())))
    assert_error_page(response, Aadsts.UnauthorizedClient_DoesNotMatchRequest)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/signin-oidc",
        WEB_REDIRECT + "/",
        WEB_REDIRECT.replace("https://", "http://"),
        WEB_REDIRECT.replace("app.contoso.example", "app.contoso.example:444"),
        WEB_REDIRECT.upper(),
        SPA_REDIRECT,
    ],
    ids=["other-host", "trailing-slash", "http", "port", "case", "other-app"],
)
def test_redirect_uri_must_match_exactly(browser: Browser, world: World, redirect_uri: str) -> None:
    """AADSTS50011 on the error page for anything but the exact registered URI, and no Location at all."""
    response = browser.get(world.authorize_path(), params=code_request(world, redirect_uri=redirect_uri))
    page = assert_error_page(response, Aadsts.InvalidReplyTo)
    assert "location" not in response.headers
    assert world.web.app_id in page


def test_redirect_uri_error_page_echoes_client_request_id(browser: Browser, world: World) -> None:
    """The error page shows the caller's `client-request-id` as the correlation id (50011 shown)."""
    response = browser.get(
        world.authorize_path(),
        params=code_request(world, redirect_uri="https://evil.example/"),
        headers={"client-request-id": "corr-50011"},
    )
    assert_error_page(response, Aadsts.InvalidReplyTo, correlation_id="corr-50011")


def test_omitted_redirect_uri_with_several_registered_is_900971(browser: Browser, world: World) -> None:
    """AADSTS900971: no redirect_uri and more than one registered, so none can be chosen."""
    response = browser.get(world.authorize_path(), params=code_request(world, redirect_uri=None))
    assert_error_page(response, Aadsts.NoReplyAddress)


def test_single_tenant_app_on_common_is_50194(browser: Browser, world: World) -> None:
    """AADSTS50194 on the error page (Entra shows it there, it is not redirected)."""
    response = browser.get(world.authorize_path("common"), params=code_request(world))
    assert_error_page(response, Aadsts.SingleTenantAppOnCommonEndpoint)


def test_organizations_only_app_on_consumers_is_9002332(browser: Browser, world: World) -> None:
    """AADSTS9002332: a work-or-school-only (multi-tenant) app on /consumers."""
    response = browser.get(world.authorize_path("consumers"), params=code_request(world, client_id=world.multi.app_id))
    assert_error_page(response, Aadsts.OrganizationsOnlyAppOnConsumersEndpoint)


def test_disabled_client_is_7000112(browser: Browser, world: World) -> None:
    """AADSTS7000112: the client's service principal is disabled in the tenant (error page)."""
    response = browser.get(world.authorize_path(), params=code_request(world, client_id=world.disabled.app_id))
    assert_error_page(response, Aadsts.UnauthorizedClientApplicationDisabled)


def test_client_of_another_tenant_is_700016(browser: Browser, world: World) -> None:
    """AADSTS700016: a single-tenant app of Fabrikam has no service principal in Contoso."""
    response = browser.get(world.authorize_path(), params=code_request(world, client_id=world.foreign.app_id))
    assert_error_page(response, Aadsts.UnauthorizedClient_DoesNotMatchRequest)


def test_repeated_parameter_is_90100_on_the_page(browser: Browser, world: World) -> None:
    """AADSTS90100: a parameter sent twice is ambiguous, so nothing can be trusted yet."""
    query = "&".join(f"{k}={v}" for k, v in code_request(world).items()) + "&client_id=x"
    response = browser.get(f"{world.authorize_path()}?{query}")
    assert_error_page(response, Aadsts.InvalidRequestParameter)


# --------------------------------------------------------------------------------------------------
# After validation: redirected to the app with state
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("parameter", ["response_type", "scope"])
def test_missing_parameter_is_redirected_as_900144(browser: Browser, world: World, parameter: str) -> None:
    """AADSTS900144 naming the parameter, sent to the validated redirect URI."""
    response = browser.get(world.authorize_path(), params=code_request(world, **{parameter: None}))
    params = assert_error_reply(response, Aadsts.MissingRequestParameter, WEB_REDIRECT, state=STATE)
    assert params["error"] == "invalid_request"
    assert f"'{parameter}'" in params["error_description"]


def test_id_token_without_implicit_issuance_is_700054(browser: Browser, world: World) -> None:
    """AADSTS700054 (unsupported_response) when the app has not enabled id tokens from /authorize; the
    error goes in the fragment, where an id_token answer would have gone."""
    request = code_request(world, response_type="id_token", nonce="n-1")
    response = browser.get(world.authorize_path(), params=request)
    assert_error_reply(response, Aadsts.ResponseTypeIdTokenNotEnabled, WEB_REDIRECT, state=STATE, mode="fragment")


def test_access_token_response_type_is_70005(browser: Browser, world: World) -> None:
    """AADSTS70005: /authorize does not issue access tokens (`token`)."""
    response = browser.get(world.authorize_path(), params=code_request(world, response_type="token"))
    assert_error_reply(response, Aadsts.UnsupportedResponseType, WEB_REDIRECT, state=STATE, mode="fragment")


def test_unknown_response_mode_is_70007(browser: Browser, world: World) -> None:
    """AADSTS70007 for a response_mode other than query, fragment and form_post."""
    response = browser.get(world.authorize_path(), params=code_request(world, response_mode="web_message"))
    assert_error_reply(response, Aadsts.UnsupportedResponseMode, WEB_REDIRECT, state=STATE)


def test_query_mode_for_an_id_token_is_70007(browser: Browser, world: World) -> None:
    """AADSTS70007: tokens never travel in a query string, so query is refused for an id_token."""
    request = code_request(
        world, client_id=world.implicit.app_id, response_type="id_token", response_mode="query", nonce="n"
    )
    response = browser.get(world.authorize_path(), params=request)
    assert_error_reply(response, Aadsts.UnsupportedResponseMode, WEB_REDIRECT, state=STATE, mode="fragment")


def test_id_token_without_nonce_is_900144(browser: Browser, world: World) -> None:
    """AADSTS900144 naming nonce (OIDC Core §3.2.2.1), in the fragment."""
    request = code_request(world, client_id=world.implicit.app_id, response_type="id_token")
    response = browser.get(world.authorize_path(), params=request)
    params = assert_error_reply(response, Aadsts.MissingRequestParameter, WEB_REDIRECT, state=STATE, mode="fragment")
    assert "'nonce'" in params["error_description"]


def test_error_goes_by_form_post_when_asked(browser: Browser, world: World) -> None:
    """A redirectable error honours response_mode=form_post: an HTML form posting the fields."""
    response = browser.get(world.authorize_path(), params=code_request(world, scope=None, response_mode="form_post"))
    assert_error_reply(response, Aadsts.MissingRequestParameter, WEB_REDIRECT, state=STATE, mode="form_post")


@pytest.mark.parametrize("client", ["native", "spa"])
def test_public_and_spa_clients_need_pkce(browser: Browser, world: World, client: str) -> None:
    """AADSTS50147: a code for a public client or a SPA requires code_challenge."""
    app = world.native if client == "native" else world.spa
    uri = f"{NATIVE_REDIRECT}:7311" if client == "native" else SPA_REDIRECT
    response = browser.get(world.authorize_path(), params=code_request(world, client_id=app.app_id, redirect_uri=uri))
    assert_error_reply(response, Aadsts.MissingCodeChallenge, uri, state=STATE)


@pytest.mark.parametrize("length", [42, 129])
def test_code_challenge_of_wrong_size_is_501491(browser: Browser, world: World, length: int) -> None:
    """AADSTS501491: a code_challenge has 43 to 128 characters (RFC 7636 §4.2)."""
    request = code_request(world, code_challenge="a" * length, code_challenge_method="S256")
    response = browser.get(world.authorize_path(), params=request)
    assert_error_reply(response, Aadsts.InvalidCodeChallengeMethodInvalidSize, WEB_REDIRECT, state=STATE)


def test_unknown_scope_is_70011(browser: Browser, world: World) -> None:
    """AADSTS70011 (invalid_scope) for a permission the API does not expose."""
    response = browser.get(world.authorize_path(), params=code_request(world, scope=f"openid {ORDERS_URI}/Nope"))
    assert_error_reply(response, Aadsts.InvalidScope, WEB_REDIRECT, state=STATE)


def test_two_resources_are_700022(browser: Browser, world: World) -> None:
    """AADSTS700022: one request names one resource (Orders API and Microsoft Graph here)."""
    request = code_request(world, scope=f"openid {ORDERS_URI}/Orders.Read User.Read")
    response = browser.get(world.authorize_path(), params=request)
    assert_error_reply(response, Aadsts.InvalidMultipleResourcesScope, WEB_REDIRECT, state=STATE)


def test_disabled_resource_is_500014(browser: Browser, world: World) -> None:
    """AADSTS500014: the resource's service principal is disabled."""
    request = code_request(world, scope="openid api://contoso/retired/Old.Read")
    response = browser.get(world.authorize_path(), params=request)
    assert_error_reply(response, Aadsts.InvalidResourceServicePrincipalDisabled, WEB_REDIRECT, state=STATE)


def test_unknown_prompt_is_90100(browser: Browser, world: World) -> None:
    """AADSTS90100 naming prompt for a value Entra does not know."""
    response = browser.get(world.authorize_path(), params=code_request(world, prompt="create"))
    params = assert_error_reply(response, Aadsts.InvalidRequestParameter, WEB_REDIRECT, state=STATE)
    assert "'prompt'" in params["error_description"]


def test_state_is_omitted_when_not_sent(browser: Browser, world: World) -> None:
    """No `state` in the request, none in the error reply."""
    response = browser.get(world.authorize_path(), params=code_request(world, state=None, scope=None))
    assert_error_reply(response, Aadsts.MissingRequestParameter, WEB_REDIRECT, state=None)
