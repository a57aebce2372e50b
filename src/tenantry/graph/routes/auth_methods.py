"""`/users/{id}/authentication/softwareOathMethods` and `temporaryAccessPassMethods` (issue 12 §3): list, read
and delete a user's authenticator apps; issue (the pass is returned once), list, read and delete Temporary
Access Passes; `…/authentication/requirements` (Graph beta's per-user MFA state) reads and sets whether the
user must set up an authenticator app at sign-in. `…/authentication/methods` (graph/routes/users.py) lists
the methods beside the password.

Rights: reading follows `users/{id}/authentication/methods` (the user itself, or `User.Read`); issuing or
deleting a method follows the password-reset table of entra-reference §5.6 (`check_reset`): an
Authentication Administrator for users without an admin role, a Privileged Authentication Administrator
or Global Administrator for admins; app-only `UserAuthenticationMethod.ReadWrite.All` for users without an
admin role. A pass for a Global Administrator is a takeover, so it is exactly as hard to get as a reset.
"""

# No `from __future__ import annotations`: FastAPI must see the dependencies the routes declare.

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Body
from starlette.responses import Response

from tenantry.directory.authorization import Action
from tenantry.directory.models import User
from tenantry.graph.auth import Call, CallDep
from tenantry.graph.errors import bad_request, not_found
from tenantry.graph.fields import AUTHENTICATION_METHOD_FIELDS
from tenantry.graph.listing import context_url
from tenantry.graph.responses import GraphJson
from tenantry.graph.routes.common import ListOptions, no_content, ok
from tenantry.graph.routes.user_rights import check_reset
from tenantry.graph.routes.users import UserDep
from tenantry.graph.schemas.auth_methods import (
    SoftwareOathMethodResource,
    StrongAuthenticationRequirements,
    StrongAuthenticationRequirementsPatch,
    TemporaryAccessPassInput,
    TemporaryAccessPassResource,
    method_view,
)
from tenantry.graph.schemas.common import Collection
from tenantry.sessions.mfa import AuthMethod, MethodType
from tenantry.sessions.mfa_admin import AuthMethodError

router = APIRouter(tags=["users"])

_SEGMENTS = {
    MethodType.SOFTWARE_OATH: "softwareOathMethods",
    MethodType.TEMPORARY_ACCESS_PASS: "temporaryAccessPassMethods",
}
_TYPES = {
    MethodType.SOFTWARE_OATH: "softwareOathAuthenticationMethod",
    MethodType.TEMPORARY_ACCESS_PASS: "temporaryAccessPassAuthenticationMethod",
}


def _check_read(call: Call, user: User) -> None:
    if user.id != call.caller.caller.object_id or call.caller.caller.is_app:
        call.rights.check(Action.USER_READ)


def _one(call: Call, user: User, kind: MethodType, method_id: str) -> AuthMethod:
    for method in call.deps.auth_methods.list_methods(user):
        if method.id == method_id and method.type is kind:
            return method
    raise not_found(method_id)


def add_method_routes(kind: MethodType) -> None:
    """List, read and delete of one kind of method."""
    segment = _SEGMENTS[kind]
    name = segment[0].upper() + segment[1:]
    model = SoftwareOathMethodResource if kind is MethodType.SOFTWARE_OATH else TemporaryAccessPassResource

    @router.get(
        f"/users/{{id}}/authentication/{segment}",
        dependencies=[ListOptions],
        responses=ok(Collection[model]),  # type: ignore[valid-type]
        operation_id=f"users_list{name}",
        summary=f"The user's {_TYPES[kind]} methods.",
    )
    def list_kind(user: UserDep, call: CallDep) -> Response:
        """Graph `GET …/authentication/{segment}`."""
        _check_read(call, user)
        now = call.deps.clock.now()
        methods = [m for m in call.deps.auth_methods.list_methods(user) if m.type is kind]
        path = f"users/{user.id}/authentication/{segment}"
        return call.page([method_view(m, now) for m in methods], AUTHENTICATION_METHOD_FIELDS, path)

    @router.get(
        f"/users/{{id}}/authentication/{segment}/{{method_id}}",
        responses=ok(model),
        operation_id=f"users_get{name}",
        summary=f"One {_TYPES[kind]} of the user.",
    )
    def get_kind(user: UserDep, method_id: str, call: CallDep) -> Response:
        """Graph `GET …/authentication/{segment}/{id}`."""
        _check_read(call, user)
        method = _one(call, user, kind, method_id)
        fragment = f"users('{user.id}')/authentication/{segment}/$entity"
        return call.one(method_view(method, call.deps.clock.now()), AUTHENTICATION_METHOD_FIELDS, fragment)

    @router.delete(
        f"/users/{{id}}/authentication/{segment}/{{method_id}}",
        status_code=204,
        responses=no_content("Deleted."),
        operation_id=f"users_delete{name}",
        summary=f"Delete one {_TYPES[kind]} of the user (under the password-reset table).",
    )
    def delete_kind(user: UserDep, method_id: str, call: CallDep) -> Response:
        """Graph `DELETE …/authentication/{segment}/{id}`: audited "Admin deleted security info"."""
        check_reset(call, user)
        if not call.deps.auth_methods.delete_method(user, method_id, kind, ctx=call.audit):
            raise not_found(method_id)
        return Response(status_code=204)


add_method_routes(MethodType.SOFTWARE_OATH)
add_method_routes(MethodType.TEMPORARY_ACCESS_PASS)


@router.post(
    "/users/{id}/authentication/temporaryAccessPassMethods",
    status_code=201,
    responses=ok(TemporaryAccessPassResource, 201, "Created; `temporaryAccessPass` holds the pass (once)."),
    operation_id="users_createTemporaryAccessPassMethods",
    summary="Issue a Temporary Access Pass (10 to 43200 minutes, 60 by default; replaces an older one).",
)
def create_pass(user: UserDep, body: Annotated[TemporaryAccessPassInput, Body()], call: CallDep) -> Response:
    """Graph `POST …/temporaryAccessPassMethods`: under the password-reset table (a pass signs the user in)."""
    check_reset(call, user)
    now = call.deps.clock.now()
    start = body.start_date_time
    if start is not None and (start.tzinfo is None or start < now - timedelta(minutes=5)):
        raise bad_request("startDateTime must be a UTC date-time that is not in the past.")
    try:
        issued = call.deps.auth_methods.issue_pass(
            user,
            ctx=call.audit,
            start=start,
            lifetime_minutes=body.lifetime_in_minutes,
            usable_once=bool(body.is_usable_once),
        )
    except AuthMethodError as err:
        raise bad_request(str(err)) from err
    segment = _SEGMENTS[MethodType.TEMPORARY_ACCESS_PASS]
    now = max(call.deps.clock.now(), issued.method.created_at)
    answer = {
        "@odata.context": context_url(call.base_url, f"users('{user.id}')/authentication/{segment}/$entity"),
        **method_view(issued.method, now, issued.value),
    }
    return GraphJson(answer, status_code=201)


REQUIREMENTS = "/users/{id}/authentication/requirements"


@router.get(
    REQUIREMENTS,
    responses=ok(StrongAuthenticationRequirements),
    operation_id="users_getAuthenticationRequirements",
    summary="The user's per-user MFA state (Graph beta's `perUserMfaState`).",
)
def get_requirements(user: UserDep, call: CallDep) -> Response:
    """`disabled`, or `enabled` / `enforced`: a user without an authenticator app sets one up at sign-in."""
    _check_read(call, user)
    context = context_url(call.base_url, "microsoft.graph.strongAuthenticationRequirements")
    state = call.deps.auth_methods.mfa_state(user)
    return GraphJson(StrongAuthenticationRequirements(odata_context=context, per_user_mfa_state=state).wire())


@router.patch(
    REQUIREMENTS,
    status_code=204,
    responses=no_content("Updated."),
    operation_id="users_updateAuthenticationRequirements",
    summary="Require MFA for the user (`enabled`, `enforced`) or not (`disabled`), under the password-reset table.",
)
def update_requirements(
    user: UserDep, body: Annotated[StrongAuthenticationRequirementsPatch, Body()], call: CallDep
) -> Response:
    """Graph beta `PATCH …/authentication/requirements`: audited as "Update user"."""
    check_reset(call, user)
    call.deps.auth_methods.set_mfa_state(user, body.per_user_mfa_state, ctx=call.audit)
    return Response(status_code=204)
