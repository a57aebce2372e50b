"""Every My Account route × person: a member without a role and an administrator get the same answers, on
their own data only (no route names another user; another user's method or grant is 404 and stays). No
directory role is involved, so no Graph privilege is new: the Graph calls these pages share (`me/
changePassword`, `revokeSignInSessions` on oneself) are open to any user, as in Graph."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from signin.browser import Browser
from tenantry.app import Services
from tenantry.apps.consent import record_consent
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.directory.models import User

from .conftest import PASSWORD, Directory
from .test_my_account import CSRF

WHO = ("pat", "helpdesk")
READS = {
    "/myaccount": 200,
    "/myaccount/password": 200,
    "/myaccount/security-info": 200,
    "/myaccount/security-info/{method}/remove": 200,
    "/myaccount/security-info/add": 303,  # on to /securityinfo: the SSO session is valid
    "/myaccount/sessions": 200,
    "/myaccount/apps": 200,
    "/myaccount/apps/{grant}/revoke": 200,
    # Another user's: not found, whoever asks.
    "/myaccount/security-info/{other_method}/remove": 404,
    "/myaccount/apps/{other_grant}/revoke": 404,
}
# Forms, in this order (the last one signs the browser out).
WRITES = {
    "/myaccount/security-info/{other_method}/remove": 404,
    "/myaccount/apps/{other_grant}/revoke": 404,
    "/myaccount/security-info/{method}/remove": 303,
    "/myaccount/apps/{grant}/revoke": 303,
    "/myaccount/password": 200,
    "/myaccount/sessions/revoke": 303,
}


def _ctx(user: User, services: Services) -> AuditContext:
    return AuditContext(Actor("user", user.id, user.user_principal_name), services.clock.now())


def _own_data(services: Services, directory: Directory, user: User) -> dict[str, str]:
    """An e-mail method and a consent of `user`."""
    existing = services.security_info.email_methods(user)
    ctx, address = _ctx(user, services), f"{user.display_name}@example.org"
    method = existing[0] if existing else services.security_info.add_email(user, address, ctx, by_admin=False)
    app = services.apps.create_app(directory.tenant.id, f"App of {user.display_name}")
    sps = services.apps.list_service_principals(directory.tenant.id)
    client = next(s for s in sps if s.app_id == app.app_id)
    graph = next(s for s in sps if s.app_id == GRAPH_APP_ID)
    with services.store.transaction(write=True) as unit:
        grant = record_consent(unit, client, graph, user, ["User.Read"], services.clock.now())
    return {"method": method.id, "grant": grant.id}


def _paths(services: Services, directory: Directory, who: str) -> dict[str, str]:
    other = "kim" if who != "kim" else "lee"
    mine, theirs = (
        _own_data(services, directory, directory.people[who]),
        _own_data(services, directory, directory.people[other]),
    )
    return {**mine, "other_method": theirs["method"], "other_grant": theirs["grant"]}


@pytest.mark.parametrize("who", WHO)
def test_reads(services: Services, signed_in: Callable[[str], Browser], directory: Directory, who: str) -> None:
    """Every page, for a member and an administrator alike."""
    paths, browser = _paths(services, directory, who), signed_in(who)
    for route, status in READS.items():
        assert browser.get(route.format(**paths)).status_code == status, route


@pytest.mark.parametrize("who", WHO)
def test_writes(services: Services, signed_in: Callable[[str], Browser], directory: Directory, who: str) -> None:
    """Every form, for a member and an administrator alike; another user's method and grant stay."""
    paths, browser = _paths(services, directory, who), signed_in(who)
    fields = {"current_password": PASSWORD, "new_password": "Quiet-Harbour-93!"}
    fields["confirm_password"] = fields["new_password"]
    for route, status in WRITES.items():
        found = CSRF.search(browser.get("/myaccount").text)
        assert found, route
        response = browser.post(route.format(**paths), data={"csrf_token": found.group(1), **fields})
        assert response.status_code == status, (route, response.text[:300])
    other = directory.people["kim"]
    assert paths["other_method"] in [m.id for m in services.security_info.email_methods(other)]
    assert paths["other_grant"] in [g.grant_id for g in services.consents.list_consents(other)]
    assert browser.get("/myaccount").status_code == 302  # signed out everywhere, this browser too
