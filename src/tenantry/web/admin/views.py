"""Rendering admin pages: one layout, a title per view, the CSRF token of every form, friendly errors.

Pages go through `http.pages.render_page`, so they carry the sign-in pages' headers: no caching, a strict CSP
(no inline script or style: `admin.css` and `admin.js` are first-party static files) and no referrer.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tenantry.http.pages import render_page

NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache", "Referrer-Policy": "no-referrer"}
# The blades of the navigation: (path, label).
NAV = (
    ("/admin", "Home"),
    ("/admin/apps", "App registrations"),
    ("/admin/enterprise-apps", "Enterprise applications"),
    ("/admin/users", "Users"),
    ("/admin/groups", "Groups"),
    ("/admin/roles", "Roles and administrators"),
    ("/admin/monitoring", "Monitoring"),
    ("/admin/settings", "Settings"),
)


def admin_page(request: Request, template: str, values: dict[str, Any], *, status: int = 200) -> Response:
    """An admin page: `values` must name `title`; the layout adds the navigation."""
    return render_page(request, template, {"nav": NAV, "path": request.url.path, **values}, status=status)


def admin_error(request: Request, title: str, message: str, *, code: str | None = None, status: int = 400) -> Response:
    """A friendly error page: what happened in words, the AADSTS or Graph code in small print."""
    values = {"title": title, "message": message, "code": code, "signed_in": False}
    return admin_page(request, "admin/error.html", values, status=status)
