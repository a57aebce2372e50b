"""Users > New user (issue 15 item 4): Graph's `POST /users` right (`USER_CREATE`) and service, the
temporary password shown once in the POST's answer, the forced change at the next sign-in."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from signin.browser import Browser
from tenantry.app import Services

from .conftest import Directory

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = re.compile(r'id="temporary-password" class="secret" readonly value="([^"]+)"')
ROUTES = {
    ("GET", "/admin/users/new"): {"global": 200, "apps": 403, "helpdesk": 403, "users": 200, "plain": 403},
    ("POST", "/admin/users/new"): {"global": 200, "apps": 403, "helpdesk": 403, "users": 200},
}


def _csrf(browser: Browser) -> str:
    found = CSRF.search(browser.get("/admin").text)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    ("method", "route", "who", "status"), [(m, r, w, s) for (m, r), t in ROUTES.items() for w, s in t.items()]
)
def test_who_may_create_users(
    signed_in: Callable[[str], Browser], method: str, route: str, who: str, status: int
) -> None:
    """User and Global Administrators, as Graph's `POST /users`; the others see which role they lack."""
    browser = signed_in(who)
    if method == "GET":
        response = browser.get(route)
    else:
        data = {"csrf_token": _csrf(browser), "upn": f"new-{who}@contoso.example", "display_name": f"New {who}"}
        response = browser.post(route, {**data, "force_change": "yes"})
    assert response.status_code == status, response.text[:400]
    if status == 403:
        assert "Requires one of" in response.text or "holds no directory role" in response.text


def test_the_temporary_password_is_shown_once_and_must_be_changed(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The value is in the POST's answer only; the user signs in with it and must change it."""
    browser = signed_in("users")
    assert 'href="/admin/users/new"' in browser.get("/admin/users").text
    data = {"csrf_token": _csrf(browser), "upn": "dana@contoso.example", "display_name": "Dana", "force_change": "yes"}
    answer = browser.post("/admin/users/new", data)
    assert answer.status_code == 200 and "will not be shown again" in answer.text
    found = PASSWORD.search(answer.text)
    assert found and len(found.group(1)) >= 12
    user = services.users.find_tenant_user(directory.tenant.id, "dana@contoso.example")
    assert user is not None and user.force_change_password_next_sign_in
    for page in ("/admin/users", f"/admin/users/{user.id}"):
        assert found.group(1) not in browser.get(page).text
    assert "no-store" in answer.headers["cache-control"]


def test_a_taken_or_foreign_upn_is_explained(signed_in: Callable[[str], Browser]) -> None:
    """The service's words, the form kept."""
    browser = signed_in("global")
    taken = browser.post(
        "/admin/users/new", {"csrf_token": _csrf(browser), "upn": "plain@contoso.example", "display_name": "Again"}
    )
    assert taken.status_code == 400 and "already exists" in taken.text and 'value="Again"' in taken.text
    foreign = browser.post(
        "/admin/users/new", {"csrf_token": _csrf(browser), "upn": "x@fabrikam.example", "display_name": "X"}
    )
    assert foreign.status_code == 400 and 'role="alert"' in foreign.text


def test_the_form_needs_its_csrf_token(signed_in: Callable[[str], Browser]) -> None:
    """No token: refused, nobody made."""
    response = signed_in("global").post("/admin/users/new", {"upn": "csrf@contoso.example", "display_name": "C"})
    assert response.status_code == 400 and "AADSTS" in response.text
