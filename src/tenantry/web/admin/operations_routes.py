"""The path table of Monitoring and Settings (issue 15 items 6 and 7), beside the other blades' table in
`routes.py`; `app.py` mounts both with the same `AdminDeps`."""

from __future__ import annotations

from functools import partial

from starlette.routing import BaseRoute, Route

from tenantry.web.admin import monitoring, settings, settings_access, settings_signin
from tenantry.web.admin.deps import AdminDeps


def operations_routes(deps: AdminDeps) -> list[BaseRoute]:
    """Every Monitoring and Settings page and form."""

    def get(path: str, handler: monitoring.Handler) -> Route:
        return Route(path, partial(handler, deps), methods=["GET"])

    def post(path: str, handler: monitoring.Handler) -> Route:
        return Route(path, partial(handler, deps), methods=["POST"])

    return [
        get("/admin/monitoring", monitoring.index),
        get("/admin/monitoring/sign-ins", monitoring.sign_ins),
        get("/admin/monitoring/sign-ins/{id}", monitoring.sign_in),
        get("/admin/monitoring/audit-logs", monitoring.audit_logs),
        get("/admin/settings", settings.index),
        get("/admin/settings/secret-lifetime", settings.secret_lifetime),
        post("/admin/settings/secret-lifetime", settings.set_secret_lifetime),
        get("/admin/settings/password-policy", settings.password_policy),
        post("/admin/settings/password-policy/expiry", settings.set_password_expiry),
        post("/admin/settings/password-policy/banned", settings.set_banned_passwords),
        get("/admin/settings/lockout", settings_signin.lockout),
        post("/admin/settings/lockout", settings_signin.set_lockout),
        get("/admin/settings/sspr", settings_signin.sspr),
        post("/admin/settings/sspr", settings_signin.set_sspr),
        get("/admin/settings/conditional-access", settings_access.conditional_access),
        post("/admin/settings/conditional-access/{id}/state", settings_access.set_policy_state),
        get("/admin/settings/seamless-sso", settings_access.seamless_sso),
    ]
