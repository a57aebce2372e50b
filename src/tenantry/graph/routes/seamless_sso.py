"""`/directory/seamlessSingleSignOn/realms` (Tenantry extension): the tenant's seamless SSO realms, read-only.

Keys are imported from a keytab by `tenantry sso enable` (a file on the server's side, like Entra Connect's
wizard); Graph shows which realms are enabled, with which key versions, and whether a rollover is due.
Reading needs `microsoft.directory/onPremisesSynchronization/standard/read`, which Global Administrator,
Hybrid Identity Administrator and Global Reader hold (delegated, e.g. `Directory.AccessAsUser.All`); no
application permission grants it yet.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from tenantry.directory.permissions import Action
from tenantry.graph.auth import Call, CallDep
from tenantry.graph.errors import not_found
from tenantry.graph.routes.common import ListOptions, SelectOption, ok
from tenantry.graph.schemas.common import Collection
from tenantry.graph.schemas.seamless_sso import REALM_FIELDS, SeamlessSsoRealmResource, realm_view
from tenantry.sso.models import RealmStatus

router = APIRouter()
PATH = "directory/seamlessSingleSignOn/realms"


def _realms(call: Call) -> list[RealmStatus]:
    call.rights.check(Action.SEAMLESS_SSO_READ)
    if call.deps.seamless_sso is None:
        return []
    return call.deps.seamless_sso.status(call.tenant_id)


@router.get(
    f"/{PATH}",
    tags=["seamlessSingleSignOn"],
    dependencies=[ListOptions],
    responses=ok(Collection[SeamlessSsoRealmResource]),
    operation_id="seamless_sso_realms_list",
    summary="The tenant's seamless SSO realms: key versions and age, never keys (Tenantry extension).",
)
def list_realms(call: CallDep) -> Response:
    """Every realm of the caller's tenant."""
    records = [realm_view(status).wire() for status in _realms(call)]
    return call.page(records, REALM_FIELDS, PATH)


@router.get(
    f"/{PATH}/{{realm}}",
    tags=["seamlessSingleSignOn"],
    dependencies=[SelectOption],
    responses=ok(SeamlessSsoRealmResource),
    operation_id="seamless_sso_realms_get",
    summary="One seamless SSO realm by name (Tenantry extension).",
)
def get_realm(realm: str, call: CallDep) -> Response:
    """A realm of the caller's tenant (names are case-sensitive, as Kerberos realms are)."""
    found = next((status for status in _realms(call) if status.realm == realm), None)
    if found is None:
        raise not_found(realm)
    return call.one(realm_view(found).wire(), REALM_FIELDS, PATH)
