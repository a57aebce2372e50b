"""Settings of sign-in protection (issue 15 item 7): smart lockout (`Lockout.set_policy`, CLI `tenantry tenant
lockout`) and self-service password reset (`SsprPolicyService`, CLI `tenantry tenant sspr`).

Both are CLI-only settings, changed there by the local administrator; no directory role rule covers them, so
here a Global Administrator alone reads and changes them (`settings.check_global_administrator`).
"""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.passwords.lockout import LockoutError
from tenantry.sessions.sspr.models import SsprMethod, SsprScope
from tenantry.sessions.sspr.policy import SsprPolicyError
from tenantry.web.admin.call import AdminCall
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.monitoring import operations
from tenantry.web.admin.settings import authorised, check_global_administrator, lines, number, saved

# -- smart lockout -------------------------------------------------------------------------------------------

LOCKOUT = "/admin/settings/lockout"


async def _lockout_page(call: AdminCall, problem: str | None = None) -> Response:
    policy = await to_thread.run_sync(operations(call.deps).lockout.policy_for, call.tenant_id)
    values = {"title": "Smart lockout", "policy": policy, "problem": problem}
    values["saved"] = call.request.query_params.get("saved") == "1"
    return call.page("admin/settings/lockout.html", values, status=400 if problem else 200)


async def lockout(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/settings/lockout: threshold, duration and blocked ranges (Global Administrator)."""
    call = await authorised(request, deps, check_global_administrator)
    return call if isinstance(call, Response) else await _lockout_page(call)


async def set_lockout(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/settings/lockout: what `tenantry tenant lockout set` changes, with its limits."""
    call = await authorised(request, deps, check_global_administrator)
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        threshold, duration = number(fields, "threshold"), number(fields, "duration_seconds")
        block, unblock = lines(fields.get("block", "")), tuple(v for k, v in fields.items() if k.startswith("unblock_"))
        await to_thread.run_sync(
            lambda: operations(deps).lockout.set_policy(
                call.tenant_id,
                threshold=threshold,
                duration_seconds=duration,
                block=block,
                unblock=unblock,
                ctx=call.audit,
            )
        )
    except (ValueError, LockoutError) as err:
        return await _lockout_page(call, str(err))
    return saved(LOCKOUT)


# -- self-service password reset -----------------------------------------------------------------------------

SSPR = "/admin/settings/sspr"
SSPR_NUMBERS = ("methods_required", "questions_to_register", "questions_to_reset", "reconfirm_days", "skip_days")


async def _sspr_page(call: AdminCall, problem: str | None = None) -> Response:
    policy = await to_thread.run_sync(operations(call.deps).sspr_policies.policy_for, call.tenant_id)
    values = {
        "title": "Self-service password reset",
        "policy": policy,
        "scopes": list(SsprScope),
        "methods": list(SsprMethod),
        "problem": problem,
        "saved": call.request.query_params.get("saved") == "1",
    }
    return call.page("admin/settings/sspr.html", values, status=400 if problem else 200)


async def sspr(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/settings/sspr: who may reset, with which methods (Global Administrator)."""
    call = await authorised(request, deps, check_global_administrator)
    return call if isinstance(call, Response) else await _sspr_page(call)


def _sspr_changes(fields: dict[str, str], methods: list[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {name: number(fields, name) for name in SSPR_NUMBERS}
    changes |= {"scope": fields.get("scope") or None, "group_id": fields.get("group_id", "").strip()[:64] or None}
    changes |= {"methods": tuple(methods), "require_registration": fields.get("require_registration") == "yes"}
    return changes | {"notify_admins": fields.get("notify_admins") == "yes"}


async def set_sspr(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/settings/sspr: `SsprPolicyService.set_policy` checks Entra's limits and audits."""
    call = await authorised(request, deps, check_global_administrator)
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    methods = [m.value for m in SsprMethod if fields.get(f"method_{m.value}") == "yes"]
    try:
        changes = _sspr_changes(fields, methods)
        await to_thread.run_sync(
            lambda: operations(deps).sspr_policies.set_policy(call.tenant_id, call.audit, **changes)
        )
    except (ValueError, SsprPolicyError) as err:
        return await _sspr_page(call, str(err))
    return saved(SSPR)
