"""Every admin center page under axe-core (no serious or critical violation, light and dark), at 375 px
wide (nothing wider than the screen), and photographed for the README.

axe is injected by Playwright, so these pages are opened with `bypass_csp` (the walk in
`test_admin_center.py` runs under the real CSP). Screenshots go to `docs/screenshots/admin-*.png` with
TENANTRY_SCREENSHOTS=1, else to a temporary directory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from support.npm import NodeUnavailableError, node_required

from .admin_world import Cast, make_cast, sign_in_to_admin
from .axe import ensure_axe, serious_violations
from .conftest import VIEWPORT, Live
from .pages import WAIT_MS
from .test_screenshots import DOCS_SCREENSHOTS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser]
PHONE = {"width": 375, "height": 740}
# The innermost elements reaching past the screen's right edge, for the message.
WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth && !e.firstElementChild)
  .slice(0, 3).map(e => e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')).join(', ')"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    """axe-core's script; without npm the test is skipped (TENANTRY_REQUIRE_NODE=1: failed)."""
    try:
        return ensure_axe()
    except NodeUnavailableError as exc:
        if node_required():
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture
def open_page(chromium: Browser) -> Iterator[Callable[[], Page]]:
    """New pages in contexts that let axe be injected despite the CSP."""
    contexts = []

    def make() -> Page:
        context = chromium.new_context(viewport=VIEWPORT, locale="en-US", bypass_csp=True)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


class Audit:
    """Checks the current page and keeps what failed, so one run reports every page."""

    def __init__(self, script: Path, shots: Path) -> None:
        self.script, self.shots, self.problems, self.count = script, shots, [], 0

    def check(self, page: Page, name: str) -> None:
        """axe light and dark, the 375 px width, then a screenshot at the suite's viewport."""
        self.count += 1
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            self.problems += [f"{name} ({scheme}): {v}" for v in serious_violations(page, self.script)]
        page.set_viewport_size(PHONE)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide = page.evaluate(WIDEST)
            self.problems.append(f"{name}: {overflow} px wider than a 375 px screen ({wide})")
        page.set_viewport_size(VIEWPORT)
        page.emulate_media(color_scheme="light")
        page.screenshot(
            path=str(self.shots / f"admin-{self.count:02d}-{name}.png"), animations="disabled", caret="hide"
        )


def _shots(tmp_path: Path) -> Path:
    return DOCS_SCREENSHOTS if os.environ.get("TENANTRY_SCREENSHOTS") == "1" else tmp_path


def _app_pages(live: Live, page: Page, cast: Cast, audit: Audit) -> None:
    """Home, App registrations and Enterprise applications, as an Application Administrator."""
    base, app = live.base_url, cast.app
    sign_in_to_admin(live, page, cast.people["apps"])
    audit.check(page, "home")
    page.goto(f"{base}/admin/apps")
    audit.check(page, "app-registrations")
    page.goto(f"{base}/admin/apps/{app.id}")
    audit.check(page, "app-overview")
    page.goto(f"{base}/admin/apps/{app.id}/credentials")
    page.get_by_text("New client secret").click()
    audit.check(page, "certificates-and-secrets")
    page.goto(f"{base}/admin/apps/{app.id}/credentials?tab=certificates")
    audit.check(page, "certificates")
    page.goto(f"{base}/admin/apps/{app.id}/credentials")
    page.get_by_text("New client secret").click()
    page.get_by_label("Description").fill("screenshot")
    page.get_by_role("button", name="Add", exact=True).click()
    live.server.guard.watch("new client secret", page.get_by_label("Value").input_value())
    audit.check(page, "client-secret-added")
    page.goto(f"{base}/admin/apps/{app.id}/credentials")
    page.get_by_role("link", name="Delete secret expired").click()
    audit.check(page, "delete-secret")
    page.goto(f"{base}/admin/apps/00000000-0000-0000-0000-000000000000")
    audit.check(page, "not-found")
    page.goto(f"{base}/admin/enterprise-apps")
    audit.check(page, "enterprise-applications")
    page.get_by_role("link", name=app.display_name).click()
    audit.check(page, "enterprise-application")


def _role_pages(live: Live, page: Page, cast: Cast, audit: Audit) -> None:
    """Roles and administrators, as a Global Administrator."""
    sign_in_to_admin(live, page, cast.people["global"], "/admin/roles")
    audit.check(page, "roles")
    page.get_by_role("link", name="Helpdesk Administrator", exact=True).click()
    audit.check(page, "role-members")
    page.get_by_role("link", name=f"Remove {cast.people['helpdesk'].display_name} from Helpdesk Administrator").click()
    audit.check(page, "remove-role-assignment")


def _user_pages(live: Live, page: Page, cast: Cast, audit: Audit) -> None:
    """Users as a Helpdesk Administrator, ending with a reset of the plain user's password."""
    base = live.base_url
    sign_in_to_admin(live, page, cast.people["helpdesk"])
    page.goto(f"{base}/admin/users")
    audit.check(page, "users")
    page.goto(f"{base}/admin/users/{cast.people['global'].id}")
    audit.check(page, "user-reset-disabled")
    page.goto(f"{base}/admin/users/{cast.people['plain'].id}")
    audit.check(page, "user-reset-enabled")
    page.get_by_role("button", name="Reset password").click()
    live.server.guard.watch("temporary password", page.get_by_label("Temporary password").input_value())
    audit.check(page, "password-reset")


def _operations_pages(live: Live, page: Page, cast: Cast, audit: Audit) -> None:
    """Monitoring and Settings, as a Global Administrator (a disabled conditional access policy on the plain
    user, so the state control shows)."""
    from tenantry.conditional_access.models import ALL, ApplicationCondition, UserCondition
    from tenantry.conditional_access.validation import PolicyDraft

    draft = PolicyDraft(
        f"Require MFA for {cast.people['plain'].display_name}", "disabled",
        UserCondition((cast.people["plain"].id,)), ApplicationCondition((ALL,)), built_in_controls=("mfa",),
    )  # fmt: skip
    live.services.conditional_access.create_policy(live.tenant.id, draft)
    base, audit.count = live.base_url, 79  # screenshots admin-80… whatever the other blades add before
    sign_in_to_admin(live, page, cast.people["global"], "/admin/monitoring/sign-ins")
    audit.check(page, "sign-in-logs")
    page.locator("main table a").first.click()
    audit.check(page, "sign-in-details")
    page.goto(f"{base}/admin/monitoring/audit-logs?result=success")
    audit.check(page, "audit-logs")
    for name in ("", "secret-lifetime", "password-policy", "lockout", "sspr", "conditional-access", "seamless-sso"):
        page.goto(f"{base}/admin/settings/{name}".rstrip("/"))
        audit.check(page, f"settings-{name}".rstrip("-"))


def test_every_admin_page_is_accessible(
    live: Live, open_page: Callable[[], Page], axe_script: Path, tmp_path: Path
) -> None:
    """Home, App registrations (list, overview, both credential tabs, New client secret open, the value
    shown once, the delete confirmation), Enterprise applications (list, one), Roles and administrators
    (list, members, remove confirmation), Users (list, disabled and enabled Reset password, the temporary
    password), the no-access page and an error page, Monitoring (sign-in logs, an entry, audit logs) and
    Settings (the index and each setting)."""
    cast = make_cast(live)
    audit = Audit(axe_script, _shots(tmp_path))
    _app_pages(live, open_page(), cast, audit)
    _role_pages(live, open_page(), cast, audit)
    page = open_page()
    sign_in_to_admin(live, page, cast.people["plain"])
    audit.check(page, "no-access")
    _user_pages(live, open_page(), cast, audit)  # after the plain user's own sign-in: it resets their password
    page = open_page()
    sign_in_to_admin(live, page, cast.people["apps"], f"/admin/users/{cast.people['plain'].id}")
    audit.check(page, "user-no-reset-rights")
    _operations_pages(live, open_page(), cast, audit)
    assert not audit.problems, "\n".join(audit.problems)


def _app_tab_pages(live: Live, page: Page, cast: Cast, audit: Audit) -> None:
    """New registration and the app registration tabs with something in each, and their confirmation pages,
    as a Global Administrator (every form shown)."""
    from tenantry.apps.changes import ApplicationChanges
    from tenantry.apps.first_party import GRAPH_APP_ID
    from tenantry.credentials.federated import FederatedCredentialInput

    services = live.services
    uris = ApplicationChanges(web_redirect_uris=("https://payroll.example/signin",), identifier_uris=("api://payroll",))
    app = services.apps.update_application(cast.app, uris)
    app = services.apps.add_permission(app, GRAPH_APP_ID, "User.Read", "Scope")
    services.apps.add_app_role(app, "Payroll.Approve", "Approvers", ("User",))
    old = services.apps.add_app_role(app, "Payroll.Legacy", "Legacy", ("User",))
    app = services.apps.set_exposed_state(services.apps.get_app(app.id), "Role", old.id, enabled=False)
    services.apps.add_scope(app, "Payroll.Read", "Admin", "Read payroll")
    services.apps.add_owner(app, cast.people["apps"].id)
    trust = FederatedCredentialInput(
        "deploy", "https://token.actions.githubusercontent.com", "repo:contoso/pay:ref:main"
    )
    services.federated_credentials.add(app, trust, ctx=_system())
    base = f"{live.base_url}/admin/apps/{app.id}"
    sign_in_to_admin(live, page, cast.people["global"], "/admin/apps/new")
    audit.check(page, "new-registration")
    for tab in ("authentication", "expose", "roles", "permissions", "owners", "federated"):
        page.goto(f"{base}/{tab}")
        audit.check(page, f"app-{tab}")
        if tab != "roles":
            page.locator("main a.icon-button").first.click()
            audit.check(page, f"app-{tab}-remove")
    page.goto(f"{base}/delete")
    audit.check(page, "app-delete")


def _system() -> Any:
    from datetime import UTC, datetime

    from tenantry.audit.recorder import SYSTEM, AuditContext

    return AuditContext(SYSTEM, datetime.now(UTC))


def _people_pages(live: Live, page: Page, cast: Cast, audit: Audit) -> None:
    """New user (the form, the temporary password), Groups (list, New group, one group, remove member)."""
    from tenantry.directory.groups import NewGroup
    from tenantry.directory.principals import DirectoryPrincipal

    tag, plain = cast.app.app_id[:6], cast.people["plain"]
    group = live.services.groups.create_group(live.tenant.id, NewGroup(f"Payroll team {tag}", "pay"), ctx=_system())
    member = DirectoryPrincipal(plain.id, "User", plain.display_name, plain.user_principal_name)
    live.services.groups.add_member(group, member, ctx=_system())
    base, domain = live.base_url, plain.user_principal_name.split("@")[1]
    sign_in_to_admin(live, page, cast.people["global"], "/admin/users/new")
    audit.check(page, "new-user")
    page.get_by_label("User principal name").fill(f"new-{tag}@{domain}")
    page.get_by_label("Display name").fill("New starter")
    page.get_by_role("button", name="Create").click()
    live.server.guard.watch("temporary password", page.get_by_label("Temporary password").input_value())
    audit.check(page, "user-created")
    page.goto(f"{base}/admin/groups")
    audit.check(page, "groups")
    page.goto(f"{base}/admin/groups/new")
    audit.check(page, "new-group")
    page.goto(f"{base}/admin/groups/{group.id}")
    audit.check(page, "group")
    page.locator("main a.icon-button").first.click()
    audit.check(page, "group-remove-member")
    page.goto(f"{base}/admin/groups/{group.id}/delete")
    audit.check(page, "group-delete")


def test_every_new_admin_page_is_accessible(
    live: Live, open_page: Callable[[], Page], axe_script: Path, tmp_path: Path
) -> None:
    """New registration; the Authentication, Expose an API, App roles, API permissions, Owners and Federated
    credentials tabs with their confirmation pages; New user and its temporary password; Groups (list, New
    group, a group, remove a member, delete it); deleting an app. Screenshots are numbered from 51, apart
    from the first test's."""
    cast = make_cast(live)
    audit = Audit(axe_script, _shots(tmp_path))
    audit.count = 50
    _app_tab_pages(live, open_page(), cast, audit)
    _people_pages(live, open_page(), cast, audit)
    assert not audit.problems, "\n".join(audit.problems)


def _certificate_pages(live: Live, page: Page, cast: Cast, audit: Audit) -> None:
    """The Certificates tab with both forms open, an uploaded certificate, a self-signed one with its private
    key shown once, and the delete confirmation, as an Application Administrator."""
    from support.certs import make_client_certificate

    base = f"{live.base_url}/admin/apps/{cast.app.id}/credentials"
    sign_in_to_admin(live, page, cast.people["apps"], f"/admin/apps/{cast.app.id}/credentials?tab=certificates")
    page.get_by_text("Upload certificate").click()
    page.get_by_text("New self-signed certificate").click()
    audit.check(page, "certificate-forms")
    page.get_by_label("Certificate (public key, PEM)").fill(make_client_certificate("payroll upload").certificate_pem)
    page.locator("#cert-description").fill("Uploaded from the build server")
    page.get_by_role("button", name="Add", exact=True).click()
    audit.check(page, "certificate-uploaded")
    page.goto(f"{base}?tab=certificates")
    page.get_by_text("New self-signed certificate").click()
    page.locator("#new-cert-description").fill("Made in the admin center")
    page.get_by_role("button", name="Create", exact=True).click()
    live.server.guard.watch("private key", page.get_by_label("Private key (PEM)").input_value())
    audit.check(page, "certificate-created")
    page.goto(f"{base}?tab=certificates")
    page.get_by_role("link", name="Delete certificate Uploaded from the build server").click()
    audit.check(page, "delete-certificate")


def test_the_certificate_pages_are_accessible(
    live: Live, open_page: Callable[[], Page], axe_script: Path, tmp_path: Path
) -> None:
    """Certificates & secrets > Certificates: the upload and self-signed forms, what each answers, and the
    delete confirmation. Screenshots are numbered from 71."""
    cast = make_cast(live)
    audit = Audit(axe_script, _shots(tmp_path))
    audit.count = 70
    _certificate_pages(live, open_page(), cast, audit)
    assert not audit.problems, "\n".join(audit.problems)
