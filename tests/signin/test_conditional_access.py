"""Conditional access at interactive sign-in (issue 12 §4), in-process: a policy asking for MFA sends the
user to authenticator enrolment (or "Enter code") after the password, or as a step-up from an SSO session
that lacks it; the token then carries `amr` `mfa` and SSO answers at once. A blocking policy shows the
53003 page and sends nothing to the app; `prompt=none` tells the app (53003, 50074/50072).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import msal
import pytest

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
from tenantry.sessions.flow import FlowState
from tenantry.signins.models import SignInEntry, SignInQuery

from .browser import Browser, ShiftableClock, assert_error_page, assert_error_reply
from .conftest import PASSWORD, World
from .test_mfa import claims, enrol
from .test_password_change import REDIRECT, _path, flow_state, msal_client

if TYPE_CHECKING:
    from starlette.applications import Starlette

pytestmark = pytest.mark.filterwarnings("ignore:response_mode=.form_post. is recommended")


def add_policy(services: Services, world: World, user: User, control: GrantControl) -> ConditionalAccessPolicy:
    """An enabled policy for the user and the native (MSAL) app."""
    policy = ConditionalAccessPolicy(
        id=new_guid(),
        tenant_id=world.tenant.id,
        display_name=f"{control} for {user.user_principal_name}",
        state=PolicyState.ENABLED,
        conditions=Conditions(UserCondition(include_users=(user.id,)), ApplicationCondition((world.native.app_id,))),
        grant_controls=GrantControls("OR", (control,)),
        created_at=services.clock.now(),
    )
    with services.store.transaction(write=True) as unit:
        unit.add_ca_policy(policy)
    return policy


def begin(
    client: msal.PublicClientApplication, browser: Browser, user: User, **extra: str
) -> tuple[dict[str, Any], httpx.Response]:
    """MSAL's auth-code flow: its flow and the first page our server answers with."""
    flow = client.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=REDIRECT, login_hint=user.user_principal_name, **extra
    )
    return flow, browser.to_our_pages(browser.get(_path(flow["auth_uri"])))


def redeem(client: msal.PublicClientApplication, flow: dict[str, object], location: str) -> dict[str, object]:
    """MSAL redeems the code the app received."""
    result: dict[str, object] = client.acquire_token_by_auth_code_flow(flow, dict(parse_qsl(urlsplit(location).query)))
    assert "access_token" in result, result
    return result


def to_app(browser: Browser, page: httpx.Response) -> httpx.Response:
    """Answer "Stay signed in?" and consent; the response that goes back to the app."""
    page = browser.to_our_pages(browser.submit(page, "/kmsi", stay="no"))
    if 'action="/consent"' in page.text:
        page = browser.to_our_pages(browser.submit(page, "/consent", answer="accept"))
    return page


def logged(services: Services, world: World, user: User, code: int) -> SignInEntry:
    """The user's one interactive sign-in log entry with that error code."""
    services.sign_ins.flush()
    entries = services.sign_ins.list(SignInQuery(world.tenant.id, error_code=code))
    found = [e for e in entries if e.user_id == user.id]
    assert len(found) == 1, found
    return found[0]


def consented(browser: Browser, page: httpx.Response) -> httpx.Response:
    """Consent when asked; the response that goes back to the app."""
    if 'action="/consent"' in page.text:
        page = browser.to_our_pages(browser.submit(page, "/consent", answer="accept"))
    return page


def test_mfa_policy_enrols_after_the_password_then_sso_answers(
    app: Starlette,
    browser: Browser,
    world: World,
    services: Services,
    make_user: Callable[..., User],
    clock: ShiftableClock,
) -> None:
    """No authenticator app yet: password, "Stay signed in?" → enrolment (conditional access) → token with
    `mfa`; the next request answers from the session (it proved MFA)."""
    user = make_user("ca-enrol")
    policy = add_policy(services, world, user, GrantControl.MFA)
    client = msal_client(app, world)
    flow, page = begin(client, browser, user)
    page = browser.to_our_pages(browser.sign_in(page, user.user_principal_name, PASSWORD))
    assert "<h1>Set up your authenticator app</h1>" in page.text, page.text[:800]
    assert flow_state(services, page) is FlowState.MFA_ENROL
    _, kmsi = enrol(browser, page, clock)
    answer = to_app(browser, kmsi)
    first = redeem(client, flow, answer.headers["location"])
    assert {"pwd", "mfa"} <= set(claims(str(first["access_token"]))["amr"])

    again, page = begin(client, browser, user)
    assert page.status_code in (302, 303) and page.headers["location"].startswith(REDIRECT), page.text[:500]
    assert "mfa" in claims(str(redeem(client, again, page.headers["location"])["access_token"]))["amr"]
    interrupted = logged(services, world, user, 50072)
    assert interrupted.is_interactive and interrupted.conditional_access_status == "failure"
    assert [(p.id, p.result) for p in interrupted.applied_conditional_access_policies if p.id == policy.id] == [
        (policy.id, "failure")
    ]


def test_step_up_from_a_session_without_mfa(
    app: Starlette,
    browser: Browser,
    world: World,
    services: Services,
    make_user: Callable[..., User],
    clock: ShiftableClock,
) -> None:
    """Signed in with a password only, then a policy: the next sign-in asks for a code, not the password."""
    user = make_user("ca-stepup")
    client = msal_client(app, world)
    flow, page = begin(client, browser, user)
    page = browser.to_our_pages(browser.sign_in(page, user.user_principal_name, PASSWORD))
    redeem(client, flow, consented(browser, page).headers["location"])
    add_policy(services, world, user, GrantControl.MFA)

    flow, page = begin(client, browser, user)
    assert "<h1>Set up your authenticator app</h1>" in page.text, page.text[:800]
    _, kmsi = enrol(browser, page, clock)
    result = redeem(client, flow, to_app(browser, kmsi).headers["location"])
    assert "mfa" in claims(str(result["access_token"]))["amr"]


def test_block_shows_the_page_and_prompt_none_tells_the_app(
    app: Starlette, browser: Browser, world: World, services: Services, make_user: Callable[..., User]
) -> None:
    """53003 on a page (nothing for the app); with `prompt=none` the app gets 53003, or 50072 when MFA is
    asked of a user with no method yet."""
    blocked, enrolling = make_user("ca-block"), make_user("ca-silent")
    client = msal_client(app, world)
    browsers = {blocked.id: browser, enrolling.id: Browser(app)}
    for user in (blocked, enrolling):
        own = browsers[user.id]
        flow, page = begin(client, own, user)
        page = own.to_our_pages(own.sign_in(page, user.user_principal_name, PASSWORD))
        redeem(client, flow, consented(own, page).headers["location"])
    add_policy(services, world, blocked, GrantControl.BLOCK)
    add_policy(services, world, enrolling, GrantControl.MFA)

    fresh = Browser(app)
    _, page = begin(client, fresh, blocked)
    page = fresh.to_our_pages(fresh.sign_in(page, blocked.user_principal_name, PASSWORD))
    assert_error_page(page, 53003)
    assert logged(services, world, blocked, 53003).conditional_access_status == "failure"

    for user, code in ((blocked, 53003), (enrolling, 50072)):
        flow = client.initiate_auth_code_flow(
            ["User.Read"], redirect_uri=REDIRECT, login_hint=user.user_principal_name, prompt="none"
        )
        answer = browsers[user.id].get(_path(flow["auth_uri"]))
        assert_error_reply(answer, code, REDIRECT, state=str(flow["state"]))
