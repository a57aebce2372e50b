"""App registration tabs (issue 15 item 2): Authentication, Owners and API permissions, each route × role
allowed or refused by Graph's own check for the same change, and the paths that could raise the caller:
making oneself owner of an app holding privileged access, granting admin consent for an app role of
Microsoft Graph."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from signin.browser import Browser
from support.certs import make_client_certificate
from tenantry.app import Services
from tenantry.apps.first_party import GRAPH_APP_ID
from tenantry.apps.models import Application

from .conftest import Directory

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PEOPLE = ("global", "apps", "helpdesk", "users")


@dataclass(frozen=True)
class Apps:
    """`automation` holds Graph's RoleManagement.ReadWrite.Directory (privileged access); `reporter` requires
    Graph's User.Read.All as an application permission, not granted; `orders` exposes a scope."""

    automation: Application
    reporter: Application
    orders: Application


@pytest.fixture(scope="module")
def apps(services: Services, directory: Directory) -> Apps:
    """The three apps of the tab tests."""
    tenant = directory.tenant.id
    automation = services.apps.create_app(tenant, "Automation")
    automation = services.apps.add_permission(automation, GRAPH_APP_ID, "RoleManagement.ReadWrite.Directory", "Role")
    services.apps.admin_consent(automation)
    reporter = services.apps.create_app(tenant, "Reporter")
    reporter = services.apps.add_permission(reporter, GRAPH_APP_ID, "User.Read.All", "Role")
    orders = services.apps.create_app(tenant, "Orders API")
    services.apps.add_scope(orders, "Orders.Read")
    found = services.apps.find_application(tenant, orders.id)
    assert found is not None
    return Apps(automation, reporter, found)


READS = {
    "/admin/apps/{app}/authentication": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/{app}/owners": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/{app}/permissions": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/{automation}/owners": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/{app}/expose": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/{app}/roles": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/new": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/{app}/federated": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/{app}/delete": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403, "plain": 403},
    "/admin/apps/{app}/credentials?tab=certificates": {
        "global": 200,
        "apps": 200,
        "helpdesk": 403,
        "users": 403,
        "plain": 403,
    },
}
WRITES = {
    "/admin/apps/{app}/authentication/uris": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    "/admin/apps/{app}/authentication/public-client": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    "/admin/apps/{app}/permissions": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    # Each caller names themself: an owner of an ordinary app, if app administration allows it.
    "/admin/apps/{app}/owners": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    # The privileged-app guard: an Application Administrator may not make themself owner of an app that
    # can make itself Global Administrator (only a Global Administrator, who could do that anyway).
    "/admin/apps/{automation}/owners": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    # Admin consent for an app role of Microsoft Graph: CONSENT_ANY_API (Global, Privileged Role Admin).
    "/admin/apps/{reporter}/permissions/consent": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    "/admin/apps/{orders}/expose/uris": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    "/admin/apps/{orders}/expose/scopes": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    "/admin/apps/{orders}/roles": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    "/admin/apps/new": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    "/admin/apps/{app}/federated": {"global": 303, "apps": 303, "helpdesk": 403, "users": 403},
    # A federated credential is a credential: on a privileged app, the same guard as a secret.
    "/admin/apps/{automation}/federated": {"global": 303, "apps": 403, "helpdesk": 403, "users": 403},
    # Certificates: Graph's PATCH of keyCredentials (APP_CREDENTIALS), with the same privileged-app guard.
    "/admin/apps/{app}/credentials/certificates": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403},
    "/admin/apps/{automation}/credentials/certificates": {"global": 200, "apps": 403, "helpdesk": 403, "users": 403},
    "/admin/apps/{app}/credentials/certificates/new": {"global": 200, "apps": 200, "helpdesk": 403, "users": 403},
    "/admin/apps/{automation}/credentials/certificates/new": {
        "global": 200,
        "apps": 403,
        "helpdesk": 403,
        "users": 403,
    },
}


def _csrf(browser: Browser) -> str:
    found = CSRF.search(browser.get("/admin").text)
    assert found, "no CSRF token on the home page"
    return found.group(1)


def _path(route: str, directory: Directory, apps: Apps) -> str:
    return route.format(
        app=directory.payroll.id, automation=apps.automation.id, reporter=apps.reporter.id, orders=apps.orders.id
    )


@pytest.mark.parametrize(("route", "who", "status"), [(r, w, s) for r, t in READS.items() for w, s in t.items()])
def test_reads(
    signed_in: Callable[[str], Browser], directory: Directory, apps: Apps, route: str, who: str, status: int
) -> None:
    """The tabs: readable by who may read app registrations (Graph's `APP_READ`)."""
    response = signed_in(who).get(_path(route, directory, apps))
    assert response.status_code == status, response.text[:400]


@pytest.mark.parametrize(("route", "who", "status"), [(r, w, s) for r, t in WRITES.items() for w, s in t.items()])
def test_writes(
    signed_in: Callable[[str], Browser], directory: Directory, apps: Apps, route: str, who: str, status: int
) -> None:
    """Forms: Graph's check for the same change; a refusal names the roles that would allow it."""
    browser = signed_in(who)
    data = {
        "csrf_token": _csrf(browser),
        "platform": "web",
        "uri": f"https://{who}.contoso.example/signin",
        "allow": "no",
        "api": GRAPH_APP_ID,
        "kind": "Scope",
        "permission": "User.Read",
        "principal": directory.people[who].user_principal_name,
        "value": f"Matrix.{who}",
        "name": f"Matrix {who}",
    }
    if route.endswith("/federated"):
        data |= {"issuer": "https://token.actions.githubusercontent.com", "subject": f"repo:contoso/{who}:ref:main"}
        data["name"] = f"matrix-{who}"
    if route.endswith("/certificates"):
        data["certificate"] = make_client_certificate(f"matrix {who}").certificate_pem
    if route.endswith("/certificates/new"):
        data["expires"] = "90"
    if "/expose/uris" in route:
        data["uri"] = f"api://contoso.example/matrix-{who}"
    response = browser.post(_path(route, directory, apps), data)
    assert response.status_code == status, response.text[:400]
    if status == 403:
        assert "Requires one of" in response.text or "privileged access" in response.text


def test_every_new_form_needs_its_csrf_token(
    signed_in: Callable[[str], Browser], directory: Directory, apps: Apps
) -> None:
    """Without the token every POST is refused, with the AADSTS code in small print."""
    browser = signed_in("global")
    for route in WRITES:
        response = browser.post(_path(route, directory, apps), {"uri": "https://x.example", "platform": "web"})
        assert response.status_code == 400 and "AADSTS" in response.text, route


def test_redirect_uris_added_then_removed_after_confirmation(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """Add a SPA URI; an http URI on a public host is refused with Entra's rule; remove asks first."""
    browser = signed_in("apps")
    base = f"/admin/apps/{directory.payroll.id}/authentication"
    uri = "https://spa.contoso.example/app"
    added = browser.post(f"{base}/uris", {"csrf_token": _csrf(browser), "platform": "spa", "uri": uri})
    assert added.status_code == 303
    page = browser.get(base).text
    assert uri in page and 'aria-label="Remove redirect URI https://spa.contoso.example/app"' in page
    bad = browser.post(f"{base}/uris", {"csrf_token": _csrf(browser), "platform": "web", "uri": "http://evil.example/"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    confirm = browser.get(f"{base}/remove", params={"platform": "spa", "uri": uri})
    assert confirm.status_code == 200 and "Remove redirect URI?" in confirm.text
    removed = browser.post(f"{base}/remove", {"csrf_token": _csrf(browser), "platform": "spa", "uri": uri})
    assert removed.status_code == 303
    app = services.apps.find_application(directory.tenant.id, directory.payroll.id)
    assert app is not None and uri not in app.spa_redirect_uris


def test_public_client_flows_toggle(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """*Allow public client flows*: Yes is saved as isFallbackPublicClient."""
    browser = signed_in("global")
    base = f"/admin/apps/{directory.payroll.id}/authentication"
    assert browser.post(f"{base}/public-client", {"csrf_token": _csrf(browser), "allow": "yes"}).status_code == 303
    app = services.apps.find_application(directory.tenant.id, directory.payroll.id)
    assert app is not None and app.is_fallback_public_client
    browser.post(f"{base}/public-client", {"csrf_token": _csrf(browser), "allow": "no"})


def test_owner_added_by_upn_then_removed(services: Services, signed_in: Callable[[str], Browser], apps: Apps) -> None:
    """Add the spare user as owner of Orders API, see them listed, remove after the confirmation page."""
    browser = signed_in("apps")
    base = f"/admin/apps/{apps.orders.id}/owners"
    added = browser.post(base, {"csrf_token": _csrf(browser), "principal": "spare@contoso.example"})
    assert added.status_code == 303
    assert "Sam Spare" in browser.get(base).text
    again = browser.post(base, {"csrf_token": _csrf(browser), "principal": "spare@contoso.example"})
    assert again.status_code == 400 and "already exist" in again.text
    unknown = browser.post(base, {"csrf_token": _csrf(browser), "principal": "nobody@contoso.example"})
    assert unknown.status_code == 400 and "No user" in unknown.text
    spare = next(o for o in services.apps.list_owners(apps.orders) if o.display_name == "Sam Spare")
    confirm = browser.get(f"{base}/{spare.id}/remove")
    assert confirm.status_code == 200 and "Remove owner?" in confirm.text
    assert browser.post(f"{base}/{spare.id}/remove", {"csrf_token": _csrf(browser)}).status_code == 303
    assert all(o.id != spare.id for o in services.apps.list_owners(apps.orders))


def test_no_owner_form_on_a_privileged_app_for_an_application_administrator(
    signed_in: Callable[[str], Browser], apps: Apps
) -> None:
    """The form is absent where the POST would be refused."""
    page = signed_in("apps").get(f"/admin/apps/{apps.automation.id}/owners").text
    assert 'name="principal"' not in page


def test_permissions_add_consent_and_remove(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory, apps: Apps
) -> None:
    """A tenant API's delegated scope is required, consent granted by an Application Administrator (not a
    Graph app role), and removed after the confirmation page."""
    browser = signed_in("apps")
    client = services.apps.create_app(directory.tenant.id, "Orders client")
    base = f"/admin/apps/{client.id}/permissions"
    data = {"csrf_token": _csrf(browser), "api": apps.orders.app_id, "kind": "Scope", "permission": "Orders.Read"}
    assert browser.post(base, data).status_code == 303
    page = browser.get(base).text
    assert "Orders.Read" in page and "Grant admin consent" in page
    unknown = browser.post(base, {**data, "permission": "Orders.Nope"})
    assert unknown.status_code == 400 and 'role="alert"' in unknown.text
    assert "Not granted for the tenant" in browser.get(base).text
    assert browser.post(f"{base}/consent", {"csrf_token": _csrf(browser)}).status_code == 303
    assert ">Granted for the tenant<" in browser.get(base).text
    scope_id = apps.orders.oauth2_permission_scopes[0].id
    confirm = browser.get(f"{base}/remove", params={"api": apps.orders.app_id, "permission": scope_id})
    assert confirm.status_code == 200 and "Remove permission?" in confirm.text
    form = {"csrf_token": _csrf(browser), "api": apps.orders.app_id, "permission": scope_id}
    assert browser.post(f"{base}/remove", form).status_code == 303
    after = services.apps.find_application(directory.tenant.id, client.id)
    assert after is not None and after.required_resource_access == ()


def test_graph_app_role_consent_hidden_from_an_application_administrator(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory, apps: Apps
) -> None:
    """No *Grant admin consent* for who may not; a Global Administrator's grant shows as Granted."""
    assert "Grant admin consent" not in signed_in("apps").get(f"/admin/apps/{apps.reporter.id}/permissions").text
    page = signed_in("global").get(f"/admin/apps/{apps.automation.id}/permissions").text
    assert "RoleManagement.ReadWrite.Directory" in page and ">Granted for the tenant<" in page


def test_an_identifier_uri_taken_by_another_app_is_refused(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory, apps: Apps
) -> None:
    """Unique in the tenant (ignoring case and a trailing slash), and never a first-party one; removal asks."""
    browser = signed_in("apps")
    base = f"/admin/apps/{apps.orders.id}/expose"
    uri = "api://contoso.example/orders"
    assert browser.post(f"{base}/uris", {"csrf_token": _csrf(browser), "uri": uri}).status_code == 303
    other = f"/admin/apps/{directory.payroll.id}/expose/uris"
    taken = browser.post(other, {"csrf_token": _csrf(browser), "uri": "API://contoso.example/orders/"})
    assert taken.status_code == 400 and "already used by another app" in taken.text
    graph = browser.post(other, {"csrf_token": _csrf(browser), "uri": "https://graph.microsoft.com"})
    assert graph.status_code == 400 and "first-party" in graph.text
    confirm = browser.get(f"{base}/uris/remove", params={"uri": uri})
    assert confirm.status_code == 200 and "Remove Application ID URI?" in confirm.text
    assert browser.post(f"{base}/uris/remove", {"csrf_token": _csrf(browser), "uri": uri}).status_code == 303
    after = services.apps.find_application(directory.tenant.id, apps.orders.id)
    assert after is not None and uri not in after.identifier_uris


def test_scopes_and_app_roles_are_listed_and_checked(signed_in: Callable[[str], Browser], directory: Directory) -> None:
    """A scope and an app role appear in their tabs; a duplicate or a value with a space is explained."""
    browser = signed_in("apps")
    base = f"/admin/apps/{directory.payroll.id}"
    scope = {"csrf_token": _csrf(browser), "value": "Payroll.Read", "consent": "User", "display_name": "Read pay"}
    assert browser.post(f"{base}/expose/scopes", scope).status_code == 303
    assert "Payroll.Read" in browser.get(f"{base}/expose").text
    again = browser.post(f"{base}/expose/scopes", {**scope, "csrf_token": _csrf(browser)})
    assert again.status_code == 400 and "already exists" in again.text
    role = {"csrf_token": _csrf(browser), "value": "Payroll.Approve", "members": "Both", "display_name": "Approvers"}
    assert browser.post(f"{base}/roles", role).status_code == 303
    page = browser.get(f"{base}/roles").text
    assert "Payroll.Approve" in page and "User, Application" in page
    spaced = browser.post(f"{base}/roles", {**role, "csrf_token": _csrf(browser), "value": "Has space"})
    assert spaced.status_code == 400 and "without spaces" in spaced.text


def test_scope_role_and_permission_changes_are_audited_as_the_administrator(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """Each is an *Update application* record naming the administrator and the application, as a PATCH."""
    browser = signed_in("global")
    app = services.apps.create_app(directory.tenant.id, "Audited API")
    base = f"/admin/apps/{app.id}"
    browser.post(f"{base}/expose/scopes", {"csrf_token": _csrf(browser), "value": "Audit.Read", "consent": "Admin"})
    browser.post(f"{base}/roles", {"csrf_token": _csrf(browser), "value": "Audit.All", "members": "Application"})
    permission = {"csrf_token": _csrf(browser), "api": GRAPH_APP_ID, "kind": "Scope", "permission": "User.Read"}
    assert browser.post(f"{base}/permissions", permission).status_code == 303
    mine = [
        r
        for r in services.audit.list_records(directory.tenant.id)
        if r.activity == "Update application"
        and r.actor.id == directory.people["global"].id
        and any(t.id == app.id for t in r.targets)
    ]
    assert len(mine) == 3


def test_new_registration_makes_the_creator_owner(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """*Register*: the app, its service principal and its first owner; a blank name is explained."""
    browser = signed_in("apps")
    assert 'href="/admin/apps/new"' in browser.get("/admin/apps").text
    data = {"csrf_token": _csrf(browser), "name": "Timesheets", "audience": "AzureADMyOrg", "redirect_uri": ""}
    made = browser.post("/admin/apps/new", data)
    assert made.status_code == 303
    app = next(a for a in services.apps.list_apps(directory.tenant.id) if a.display_name == "Timesheets")
    assert made.headers["location"] == f"/admin/apps/{app.id}"
    assert [o.id for o in services.apps.list_owners(app)] == [directory.people["apps"].id]
    assert any(sp.app_id == app.app_id for sp in services.apps.list_service_principals(directory.tenant.id))
    blank = browser.post("/admin/apps/new", {**data, "csrf_token": _csrf(browser), "name": " "})
    assert blank.status_code == 400 and 'role="alert"' in blank.text


def test_federated_credentials_added_then_deleted_after_confirmation(
    services: Services, signed_in: Callable[[str], Browser], apps: Apps
) -> None:
    """Add with the default audience, a duplicate name explained, delete after the confirmation page."""
    browser = signed_in("apps")
    base = f"/admin/apps/{apps.orders.id}/federated"
    data = {
        "csrf_token": _csrf(browser),
        "name": "deploy",
        "issuer": "https://token.actions.githubusercontent.com",
        "subject": "repo:contoso/orders:environment:production",
        "audience": "",
    }
    assert browser.post(base, data).status_code == 303
    page = browser.get(base).text
    assert "repo:contoso/orders:environment:production" in page and "api://AzureADTokenExchange" in page
    again = browser.post(base, {**data, "csrf_token": _csrf(browser), "subject": "repo:contoso/orders:ref:x"})
    assert again.status_code == 400 and 'role="alert"' in again.text
    credential = services.federated_credentials.list(apps.orders)[0]
    confirm = browser.get(f"{base}/{credential.id}/delete")
    assert confirm.status_code == 200 and "Delete federated credential?" in confirm.text
    assert browser.post(f"{base}/{credential.id}/delete", {"csrf_token": _csrf(browser)}).status_code == 303
    assert services.federated_credentials.list(apps.orders) == []


def test_an_app_deleted_after_confirmation(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """*Delete* on the overview, the confirmation page, then the app and its service principal are gone;
    a Helpdesk Administrator's forged post is refused."""
    app = services.apps.create_app(directory.tenant.id, "Retired")
    helpdesk = signed_in("helpdesk")
    assert helpdesk.post(f"/admin/apps/{app.id}/delete", {"csrf_token": _csrf(helpdesk)}).status_code == 403
    browser = signed_in("apps")
    assert f'href="/admin/apps/{app.id}/delete"' in browser.get(f"/admin/apps/{app.id}").text
    confirm = browser.get(f"/admin/apps/{app.id}/delete")
    assert confirm.status_code == 200 and "Delete app registration?" in confirm.text
    done = browser.post(f"/admin/apps/{app.id}/delete", {"csrf_token": _csrf(browser)})
    assert done.status_code == 303 and done.headers["location"] == "/admin/apps"
    assert services.apps.find_application(directory.tenant.id, app.id) is None
    assert all(sp.app_id != app.app_id for sp in services.apps.list_service_principals(directory.tenant.id))


@pytest.mark.parametrize(("kind", "tab", "path"), [("role", "roles", "roles"), ("scope", "expose", "expose/scopes")])
def test_an_app_role_or_scope_is_disabled_before_it_is_deleted(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory, kind: str, tab: str, path: str
) -> None:
    """Delete is refused while enabled; Disable, then the confirmation page, then Delete; Enable undoes a
    disable. A Helpdesk Administrator's forged disable is refused."""
    app = services.apps.create_app(directory.tenant.id, f"Exposes a {kind}")
    made = services.apps.add_app_role(app, "X.All") if kind == "role" else services.apps.add_scope(app, "X.Read")
    base = f"/admin/apps/{app.id}/{path}/{made.id}"
    helpdesk = signed_in("helpdesk")
    assert helpdesk.post(f"{base}/state", {"csrf_token": _csrf(helpdesk), "state": "disable"}).status_code == 403
    browser = signed_in("apps")
    early = browser.post(f"{base}/delete", {"csrf_token": _csrf(browser)})
    assert early.status_code == 400 and "disable it first" in early.text
    assert browser.get(f"{base}/delete").status_code == 400
    assert browser.post(f"{base}/state", {"csrf_token": _csrf(browser), "state": "disable"}).status_code == 303
    assert "Disabled" in browser.get(f"/admin/apps/{app.id}/{tab}").text
    assert browser.post(f"{base}/state", {"csrf_token": _csrf(browser), "state": "enable"}).status_code == 303
    assert "Disabled" not in browser.get(f"/admin/apps/{app.id}/{tab}").text
    assert browser.post(f"{base}/state", {"csrf_token": _csrf(browser), "state": "disable"}).status_code == 303
    confirm = browser.get(f"{base}/delete")
    assert confirm.status_code == 200 and f"Delete {'app role' if kind == 'role' else 'scope'}?" in confirm.text
    assert browser.post(f"{base}/delete", {"csrf_token": _csrf(browser)}).status_code == 303
    after = services.apps.find_application(directory.tenant.id, app.id)
    assert after is not None and after.app_roles == () and after.oauth2_permission_scopes == ()
