"""`/auditLogs/signIns`: the sign-in log, newest first, with `$filter` on `status/errorCode`,
`userPrincipalName`, `appId` and `createdDateTime` ranges, `$top` and `@odata.nextLink` paging.

Read rights are the directory audit log's (`AuditLog.Read.All`; Global Administrator/Reader, Reports
Reader, Security Administrator/Reader), as Entra's are.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from tenantry.directory.authorization import Action
from tenantry.graph.auth import CallDep
from tenantry.graph.errors import not_found
from tenantry.graph.fields import SIGN_IN_FIELDS
from tenantry.graph.routes.common import ListOptions, SelectOption, ok
from tenantry.graph.schemas.common import Collection
from tenantry.graph.schemas.sign_ins import SignInResource, sign_in_view
from tenantry.signins.models import SignInQuery
from tenantry.signins.service import SignInLog

router = APIRouter()
SIGN_INS = "auditLogs/signIns"
# Filters run over the newest entries, at most this many (the retention period bounds the log anyway).
MAX_ENTRIES = 10_000


def _log(call: CallDep) -> SignInLog:
    """The sign-in log; the rights check comes first, so a caller without them learns nothing."""
    call.rights.check(Action.AUDIT_READ)
    log = call.deps.sign_ins
    if log is None:
        raise RuntimeError("the Graph app was built without a sign-in log")
    return log


@router.get(
    f"/{SIGN_INS}",
    tags=["auditLogs"],
    dependencies=[ListOptions],
    responses=ok(Collection[SignInResource]),
    operation_id="signIns_list",
    summary="The sign-in log, newest first.",
)
def list_sign_ins(call: CallDep) -> Response:
    """Every sign-in and refused sign-in of the tenant still within the retention period."""
    entries = _log(call).list(SignInQuery(call.tenant_id, limit=MAX_ENTRIES))
    return call.page([sign_in_view(e).wire() for e in entries], SIGN_IN_FIELDS, SIGN_INS)


@router.get(
    f"/{SIGN_INS}/{{id}}",
    tags=["auditLogs"],
    dependencies=[SelectOption],
    responses=ok(SignInResource),
    operation_id="signIns_get",
    summary="One sign-in log entry.",
)
def get_sign_in(id: str, call: CallDep) -> Response:
    """An entry by id."""
    found = _log(call).find(call.tenant_id, id)
    if found is None:
        raise not_found(id)
    return call.one(sign_in_view(found).wire(), SIGN_IN_FIELDS, SIGN_INS)
