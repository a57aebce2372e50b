"""The admin center's cast on the live server: one user per role, a user without a role, and seed 002's app
with an expired client secret (made in-process on the server's database)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tenantry.apps.models import Application
from tenantry.directory.models import User

from .conftest import DOMAIN, PASSWORD, Live
from .pages import WAIT_MS, SignInPages

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROLES = {
    "apps": "Application Administrator",
    "helpdesk": "Helpdesk Administrator",
    "global": "Global Administrator",
}


@dataclass(frozen=True)
class Cast:
    """Who signs in, and the app of seed 002."""

    people: dict[str, User]
    app: Application


def make_cast(live: Live) -> Cast:
    """Fresh people (their own UPNs) and a fresh app whose only secret expired yesterday."""
    services, tenant_id, tag = live.services, live.tenant.id, uuid.uuid4().hex[:6]
    people = {"plain": services.users.create_user(tenant_id, f"pat-{tag}@{DOMAIN}", PASSWORD, f"Pat Plain {tag}")}
    for key, role in ROLES.items():
        user = services.users.create_user(tenant_id, f"{key}-{tag}@{DOMAIN}", PASSWORD, f"{role} {tag}")
        services.roles.assign_role(tenant_id, user.id, role)
        people[key] = user
    app = services.apps.create_app(tenant_id, f"empower {tag}")
    now = datetime.now(UTC)
    services.credentials.add_secret(app, "expired", now - timedelta(days=1), start=now - timedelta(days=181))
    return Cast(people, app)


def sign_in_to_admin(live: Live, page: Page, user: User, path: str = "/admin") -> None:
    """Open the admin center signed out: the sign-in pages (username, password, "Stay signed in?"), then back."""
    from playwright.sync_api import expect

    page.goto(f"{live.base_url}{path}")
    pages = SignInPages(page)
    pages.expect_heading("Sign in")
    pages.sign_in(user.user_principal_name, PASSWORD, stay=False)
    expect(page).to_have_url(f"{live.base_url}{path}", timeout=WAIT_MS)
