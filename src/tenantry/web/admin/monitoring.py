"""Monitoring (issue 15 item 6): the sign-in log and the directory audit log, filtered and paged, and the
credentials of the tenant's apps that expire within 30 days (for the home page).

Both logs are read under `Action.AUDIT_READ`, the check Graph's `auditLogs/signIns` and
`auditLogs/directoryAudits` make (Global Administrator and Reader, Reports Reader, Security Administrator
and Reader); the sign-in log is listed by `SignInLog.list` with a `SignInQuery`, as Graph and `tenantry logs
signins` list it. The expiring credentials are `ExpiryScanner.list_expiring`, what `tenantry credential
expiring` lists, shown to who may read app registrations (`APP_READ`, as the App registrations blade).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar
from urllib.parse import urlencode

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.audit.models import AuditRecord
from tenantry.credentials.expiry import ExpiringCredential
from tenantry.credentials.status import EXPIRING_HORIZON_DAYS
from tenantry.directory.authorization import Action
from tenantry.signins.models import SignInQuery
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.operations import Operations
from tenantry.web.admin.views import NO_STORE, admin_error

PAGE_SIZE = 25
MAX_PAGE = 400  # 10,000 entries: what Graph's listing reads at most
MAX_FILTER = 256
T = TypeVar("T")
Handler = Callable[[AdminDeps, Request], Awaitable[Response]]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a newest-first listing, and the links to its neighbours (filters kept)."""

    rows: Sequence[T]
    number: int
    previous: str | None
    next: str | None


def operations(deps: AdminDeps) -> Operations:
    """The services; an app built without them is a wiring error, not a user's."""
    if deps.operations is None:
        raise RuntimeError("the admin center was built without its operations")
    return deps.operations


def page_number(request: Request) -> int:
    """`?page=N` (1 when absent or not a number), at most `MAX_PAGE`."""
    text = request.query_params.get("page", "1")
    return min(max(int(text), 1), MAX_PAGE) if text.isdigit() else 1


def paged(found: Sequence[T], number: int, path: str, filters: dict[str, str]) -> Page[T]:
    """Page `number` of `found` (which holds at least that page and one more entry when there is one)."""
    start = (number - 1) * PAGE_SIZE
    kept = {k: v for k, v in filters.items() if v}

    def link(n: int) -> str:
        return f"{path}?{urlencode({**kept, 'page': str(n)})}"

    more = len(found) > start + PAGE_SIZE and number < MAX_PAGE
    return Page(
        found[start : start + PAGE_SIZE],
        number,
        link(number - 1) if number > 1 else None,
        link(number + 1) if more else None,
    )


def _filter(request: Request, name: str) -> str:
    return request.query_params.get(name, "")[:MAX_FILTER].strip()


def parse_error_code(text: str) -> int | None:
    """ "50126", "AADSTS50126" or "0" (successes); ValueError for anything else."""
    digits = text.upper().removeprefix("AADSTS").strip()
    if not digits.isdigit() or len(digits) > 9:
        raise ValueError(f"'{text[:32]}' is not an error code: give its number, such as 50126 or AADSTS50126.")
    return int(digits)


async def _reader(request: Request, deps: AdminDeps) -> AdminCall | Response:
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    refused = call.refusal(Action.AUDIT_READ)
    return refused if refused is not None else call


async def index(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/monitoring: the sign-in logs (the portal opens Monitoring there too)."""
    del deps
    return RedirectResponse("/admin/monitoring/sign-ins", status_code=303, headers=NO_STORE)


async def sign_ins(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/monitoring/sign-ins[?user=&app=&code=&page=]: newest first, filtered as Graph's $filter."""
    call = await _reader(request, deps)
    if isinstance(call, Response):
        return call
    filters = {"user": _filter(request, "user"), "app": _filter(request, "app"), "code": _filter(request, "code")}
    problem = None
    try:
        code = parse_error_code(filters["code"]) if filters["code"] else None
    except ValueError as err:
        code, problem = None, str(err)
    number = page_number(request)
    query = SignInQuery(
        call.tenant_id,
        error_code=code,
        user_principal_name=filters["user"] or None,
        app_id=filters["app"] or None,
        limit=number * PAGE_SIZE + 1,
    )
    found = [] if problem else await to_thread.run_sync(operations(deps).sign_ins.list, query)
    values = {
        "title": "Sign-in logs",
        "filters": filters,
        "problem": problem,
        "page": paged(found, number, "/admin/monitoring/sign-ins", filters),
    }
    return call.page("admin/monitoring/sign_ins.html", values, status=400 if problem else 200)


async def sign_in(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/monitoring/sign-ins/{id}: one entry, its conditional access status and policies."""
    call = await _reader(request, deps)
    if isinstance(call, Response):
        return call
    entry_id = request.path_params["id"][:64]
    entry = await to_thread.run_sync(operations(deps).sign_ins.find, call.tenant_id, entry_id)
    if entry is None:
        message = f"No sign-in log entry has the id '{entry_id}' in this tenant (it may be past the retention period)."
        return admin_error(request, "Sign-in not found", message, code="Request_ResourceNotFound", status=404)
    return call.page("admin/monitoring/sign_in.html", {"title": "Sign-in details", "entry": entry})


def _matches(record: AuditRecord, activity: str, actor: str, result: str) -> bool:
    who = f"{record.actor.display_name} {record.actor.id}".lower()
    return (
        activity.lower() in record.activity.lower() and actor.lower() in who and (not result or record.result == result)
    )


async def audit_logs(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/monitoring/audit-logs[?activity=&actor=&result=&page=]: the directory audit log."""
    call = await _reader(request, deps)
    if isinstance(call, Response):
        return call
    filters = {"activity": _filter(request, "activity"), "actor": _filter(request, "actor")}
    filters["result"] = _filter(request, "result") if _filter(request, "result") in ("success", "failure") else ""
    records = await to_thread.run_sync(operations(deps).audit.list_records, call.tenant_id)
    found = [r for r in records if _matches(r, filters["activity"], filters["actor"], filters["result"])]
    page = paged(found, page_number(request), "/admin/monitoring/audit-logs", filters)
    return call.page("admin/monitoring/audit_logs.html", {"title": "Audit logs", "filters": filters, "page": page})


def expiring_soon(call: AdminCall) -> list[ExpiringCredential] | None:
    """The tenant's credentials ending within 30 days, soonest first; None for who may not read apps."""
    if not call.may(Action.APP_READ) or call.deps.operations is None:
        return None
    return call.deps.operations.list_expiring(timedelta(days=EXPIRING_HORIZON_DAYS), call.tenant_id)
