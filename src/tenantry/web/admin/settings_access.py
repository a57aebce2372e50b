"""Settings of access (issue 15 item 7): conditional access and seamless single sign-on, under Graph's rights.

- Conditional access policies are listed under `CA_POLICY_READ` and switched between On, Off and Report-only
  under `CA_POLICY_UPDATE` through `ConditionalAccessService.update_policy`, as Graph's `PATCH
  /identity/conditionalAccess/policies/{id}` with a `state` does; named locations are listed under
  `NAMED_LOCATION_READ`. Creating and editing policies and locations stays with Graph (the page says so).
- Seamless SSO is read-only, under `SEAMLESS_SSO_READ` (Graph's `directory/seamlessSingleSignOn/realms`):
  realms, principals, key versions and ages from `SeamlessSsoService.status`, never key bytes.
"""

from __future__ import annotations

from dataclasses import replace

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.conditional_access.models import PolicyState
from tenantry.conditional_access.validation import ConditionalAccessError, PolicyDraft
from tenantry.directory.authorization import Action
from tenantry.web.admin.call import AdminCall
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.monitoring import operations
from tenantry.web.admin.settings import authorised, check_action, saved
from tenantry.web.admin.views import admin_error

CONDITIONAL_ACCESS = "/admin/settings/conditional-access"
# The portal's words for Graph's states.
STATE_LABELS = {PolicyState.ENABLED: "On", PolicyState.REPORT_ONLY: "Report-only", PolicyState.DISABLED: "Off"}


async def _ca_page(call: AdminCall, problem: str | None = None) -> Response:
    service = operations(call.deps).conditional_access
    policies = await to_thread.run_sync(service.list_policies, call.tenant_id)
    may_read_locations = call.may(Action.NAMED_LOCATION_READ)
    locations = await to_thread.run_sync(service.list_locations, call.tenant_id) if may_read_locations else None
    values = {
        "title": "Conditional access",
        "policies": sorted(policies, key=lambda p: p.display_name.lower()),
        "locations": sorted(locations, key=lambda n: n.display_name.lower()) if locations is not None else None,
        "states": STATE_LABELS,
        "may_update": call.may(Action.CA_POLICY_UPDATE),
        "update_reason": call.rights.denial(Action.CA_POLICY_UPDATE),
        "problem": problem,
        "saved": call.request.query_params.get("saved") == "1",
    }
    return call.page("admin/settings/conditional_access.html", values, status=400 if problem else 200)


async def conditional_access(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/settings/conditional-access: the policies with their state, and the named locations."""
    call = await authorised(request, deps, check_action(Action.CA_POLICY_READ))
    return call if isinstance(call, Response) else await _ca_page(call)


async def set_policy_state(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/settings/conditional-access/{id}/state: On, Off or Report-only (Graph's PATCH state)."""
    call = await authorised(request, deps, check_action(Action.CA_POLICY_UPDATE))
    if isinstance(call, Response):
        return call
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    state = fields.get("state", "")
    if state not in STATE_LABELS:
        return await _ca_page(call, "Choose On, Off or Report-only.")
    policy_id = request.path_params["id"][:64]

    def change(draft: PolicyDraft) -> PolicyDraft:
        return replace(draft, state=state)

    service = operations(deps).conditional_access
    try:
        updated = await to_thread.run_sync(
            lambda: service.update_policy(call.tenant_id, policy_id, change, audit=call.audit)
        )
    except ConditionalAccessError as err:
        return await _ca_page(call, str(err))
    if updated is None:
        message = f"No conditional access policy has the id '{policy_id}' in this tenant."
        return admin_error(request, "Policy not found", message, code="Request_ResourceNotFound", status=404)
    return saved(CONDITIONAL_ACCESS)


async def seamless_sso(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/settings/seamless-sso: each realm's principals, key versions and the newest key's age."""
    call = await authorised(request, deps, check_action(Action.SEAMLESS_SSO_READ))
    if isinstance(call, Response):
        return call
    realms = await to_thread.run_sync(operations(deps).seamless_sso.status, call.tenant_id)
    return call.page("admin/settings/seamless_sso.html", {"title": "Seamless single sign-on", "realms": realms})
