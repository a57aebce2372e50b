"""`/identity/conditionalAccess/policies` and `/identity/conditionalAccess/namedLocations` (issue 12 §4):
list, read, create (201), change (PATCH, 204) and delete (204) a tenant's conditional access policies and
named locations, with Graph v1.0's shapes.

Rights (Entra's): reading needs `Policy.Read.All` (or `Policy.ReadWrite.ConditionalAccess`, which Tenantry
lets read too), or delegated, such a scope and the role of a Conditional Access Administrator, Security
Administrator or Reader, Global Reader or Global Administrator; writing needs
`Policy.ReadWrite.ConditionalAccess`, or delegated, that scope and a Conditional Access Administrator,
Security Administrator or Global Administrator. A refused policy is 400 `BadRequest` with what to change
(`conditional_access/validation.py`); a named location still used by a policy cannot be deleted (400).
"""

# No `from __future__ import annotations`: FastAPI must see the dependencies the routes declare.

from typing import Annotated

from fastapi import APIRouter, Body
from starlette.responses import Response

from tenantry.directory.authorization import Action
from tenantry.graph.auth import CallDep
from tenantry.graph.errors import not_found
from tenantry.graph.listing import context_url
from tenantry.graph.responses import GraphJson
from tenantry.graph.routes.common import ListOptions, SelectOption, check_object_id, no_content, ok
from tenantry.graph.schemas.common import Collection
from tenantry.graph.schemas.conditional_access import (
    EMPTY_POLICY,
    LOCATION_FIELDS,
    POLICY_FIELDS,
    NamedLocationInput,
    PolicyInput,
    location_change,
    new_location_draft,
    policy_change,
)
from tenantry.graph.schemas.conditional_access_views import (
    ConditionalAccessPolicyResource,
    NamedLocationResource,
    location_view,
    policy_view,
)

router = APIRouter(tags=["conditionalAccess"])

POLICIES = "identity/conditionalAccess/policies"
LOCATIONS = "identity/conditionalAccess/namedLocations"


@router.get(
    f"/{POLICIES}",
    dependencies=[ListOptions],
    responses=ok(Collection[ConditionalAccessPolicyResource]),
    operation_id="conditionalAccess_listPolicies",
    summary="The tenant's conditional access policies.",
)
def list_policies(call: CallDep) -> Response:
    """Graph `GET /identity/conditionalAccess/policies`."""
    call.rights.check(Action.CA_POLICY_READ)
    policies = call.deps.conditional_access.list_policies(call.tenant_id)
    return call.page([policy_view(p) for p in policies], POLICY_FIELDS, POLICIES)


@router.get(
    f"/{POLICIES}/{{id}}",
    dependencies=[SelectOption],
    responses=ok(ConditionalAccessPolicyResource),
    operation_id="conditionalAccess_getPolicy",
    summary="One conditional access policy.",
)
def get_policy(id: str, call: CallDep) -> Response:
    """Graph `GET /identity/conditionalAccess/policies/{id}`."""
    call.rights.check(Action.CA_POLICY_READ)
    policy = call.deps.conditional_access.find_policy(call.tenant_id, check_object_id(id))
    if policy is None:
        raise not_found(id)
    return call.one(policy_view(policy), POLICY_FIELDS, POLICIES)


@router.post(
    f"/{POLICIES}",
    status_code=201,
    responses=ok(ConditionalAccessPolicyResource, 201, "Created."),
    operation_id="conditionalAccess_createPolicy",
    summary="Create a policy (grant controls block, mfa or passwordChange; users and applications required).",
)
def create_policy(body: Annotated[PolicyInput, Body()], call: CallDep) -> Response:
    """Graph `POST /identity/conditionalAccess/policies`: audited "Add conditional access policy"."""
    call.rights.check(Action.CA_POLICY_CREATE)
    draft = policy_change(body)(EMPTY_POLICY)
    policy = call.deps.conditional_access.create_policy(call.tenant_id, draft, audit=call.audit)
    answer = {"@odata.context": context_url(call.base_url, f"{POLICIES}/$entity"), **policy_view(policy)}
    return GraphJson(answer, status_code=201)


@router.patch(
    f"/{POLICIES}/{{id}}",
    status_code=204,
    responses=no_content("Updated."),
    operation_id="conditionalAccess_updatePolicy",
    summary="Change a policy: each property given replaces the stored one.",
)
def update_policy(id: str, body: Annotated[PolicyInput, Body()], call: CallDep) -> Response:
    """Graph `PATCH /identity/conditionalAccess/policies/{id}`: audited "Update conditional access policy"."""
    call.rights.check(Action.CA_POLICY_UPDATE)
    service = call.deps.conditional_access
    if service.update_policy(call.tenant_id, check_object_id(id), policy_change(body), audit=call.audit) is None:
        raise not_found(id)
    return Response(status_code=204)


@router.delete(
    f"/{POLICIES}/{{id}}",
    status_code=204,
    responses=no_content("Deleted."),
    operation_id="conditionalAccess_deletePolicy",
    summary="Delete a policy.",
)
def delete_policy(id: str, call: CallDep) -> Response:
    """Graph `DELETE /identity/conditionalAccess/policies/{id}`: audited "Delete conditional access policy"."""
    call.rights.check(Action.CA_POLICY_DELETE)
    if not call.deps.conditional_access.delete_policy(call.tenant_id, check_object_id(id), audit=call.audit):
        raise not_found(id)
    return Response(status_code=204)


@router.get(
    f"/{LOCATIONS}",
    dependencies=[ListOptions],
    responses=ok(Collection[NamedLocationResource]),
    operation_id="conditionalAccess_listNamedLocations",
    summary="The tenant's named locations (IP ranges or countries).",
)
def list_locations(call: CallDep) -> Response:
    """Graph `GET /identity/conditionalAccess/namedLocations`."""
    call.rights.check(Action.NAMED_LOCATION_READ)
    locations = call.deps.conditional_access.list_locations(call.tenant_id)
    return call.page([location_view(n) for n in locations], LOCATION_FIELDS, LOCATIONS)


@router.get(
    f"/{LOCATIONS}/{{id}}",
    dependencies=[SelectOption],
    responses=ok(NamedLocationResource),
    operation_id="conditionalAccess_getNamedLocation",
    summary="One named location.",
)
def get_location(id: str, call: CallDep) -> Response:
    """Graph `GET /identity/conditionalAccess/namedLocations/{id}`."""
    call.rights.check(Action.NAMED_LOCATION_READ)
    location = call.deps.conditional_access.find_location(call.tenant_id, check_object_id(id))
    if location is None:
        raise not_found(id)
    return call.one(location_view(location), LOCATION_FIELDS, LOCATIONS)


@router.post(
    f"/{LOCATIONS}",
    status_code=201,
    responses=ok(NamedLocationResource, 201, "Created."),
    operation_id="conditionalAccess_createNamedLocation",
    summary="Create an IP (CIDR ranges) or country named location; `@odata.type` says which.",
)
def create_location(body: Annotated[NamedLocationInput, Body()], call: CallDep) -> Response:
    """Graph `POST /identity/conditionalAccess/namedLocations`: audited "Add named location"."""
    call.rights.check(Action.NAMED_LOCATION_CREATE)
    location = call.deps.conditional_access.create_location(call.tenant_id, new_location_draft(body), audit=call.audit)
    answer = {"@odata.context": context_url(call.base_url, f"{LOCATIONS}/$entity"), **location_view(location)}
    return GraphJson(answer, status_code=201)


@router.patch(
    f"/{LOCATIONS}/{{id}}",
    status_code=204,
    responses=no_content("Updated."),
    operation_id="conditionalAccess_updateNamedLocation",
    summary="Change a named location (its kind cannot change).",
)
def update_location(id: str, body: Annotated[NamedLocationInput, Body()], call: CallDep) -> Response:
    """Graph `PATCH /identity/conditionalAccess/namedLocations/{id}`: audited "Update named location"."""
    call.rights.check(Action.NAMED_LOCATION_UPDATE)
    service = call.deps.conditional_access
    if service.update_location(call.tenant_id, check_object_id(id), location_change(body), audit=call.audit) is None:
        raise not_found(id)
    return Response(status_code=204)


@router.delete(
    f"/{LOCATIONS}/{{id}}",
    status_code=204,
    responses=no_content("Deleted."),
    operation_id="conditionalAccess_deleteNamedLocation",
    summary="Delete a named location that no policy uses.",
)
def delete_location(id: str, call: CallDep) -> Response:
    """Graph `DELETE /identity/conditionalAccess/namedLocations/{id}`: audited "Delete named location"."""
    call.rights.check(Action.NAMED_LOCATION_DELETE)
    if not call.deps.conditional_access.delete_location(call.tenant_id, check_object_id(id), audit=call.audit):
        raise not_found(id)
    return Response(status_code=204)
