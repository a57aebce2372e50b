"""The path table of Monitoring and Settings (issue 15 items 6 and 7), beside the other blades' table in
`routes.py`; `app.py` mounts both with the same `AdminDeps`."""

from __future__ import annotations

from functools import partial

from starlette.routing import BaseRoute, Route

from tenantry.web.admin import monitoring
from tenantry.web.admin.deps import AdminDeps


def operations_routes(deps: AdminDeps) -> list[BaseRoute]:
    """Every Monitoring and Settings page and form."""

    def get(path: str, handler: monitoring.Handler) -> Route:
        return Route(path, partial(handler, deps), methods=["GET"])

    return [
        get("/admin/monitoring", monitoring.index),
        get("/admin/monitoring/sign-ins", monitoring.sign_ins),
        get("/admin/monitoring/sign-ins/{id}", monitoring.sign_in),
        get("/admin/monitoring/audit-logs", monitoring.audit_logs),
    ]
