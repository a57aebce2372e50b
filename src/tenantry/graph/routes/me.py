"""`/me` and `/me/changePassword`: the signed-in user of a delegated token reads its profile and changes its
own password (entra-reference §5.2: the current password must be right, 120000; the new one meets the
policy, 120002/120003/120018, and is not the current one)."""

# No `from __future__ import annotations`: FastAPI must see the dependencies the routes declare.

from typing import Annotated

from fastapi import APIRouter, Body
from starlette.responses import Response

from tenantry.directory.models import User
from tenantry.graph.auth import Call, CallDep
from tenantry.graph.errors import bad_request, denied, not_found
from tenantry.graph.fields import USER_FIELDS
from tenantry.graph.routes.common import SelectOption, no_content, ok
from tenantry.graph.routes.user_rights import user_records
from tenantry.graph.schemas.users import ChangePasswordInput, UserResource

router = APIRouter(tags=["me"])
# Graph: changePassword needs the delegated `Directory.AccessAsUser.All`; Tenantry also accepts the user
# scopes that allow writing the user.
CHANGE_PASSWORD_SCOPES = frozenset({"Directory.AccessAsUser.All", "User.ReadWrite", "User.ReadWrite.All"})


def signed_in_user(call: Call) -> User:
    """The user of a delegated token; `/me` with an app-only token is Graph's 400."""
    caller = call.caller.caller
    if caller.is_app:
        raise bad_request("/me request is only valid with delegated authentication flow.")
    user = call.deps.users.find_tenant_user(call.tenant_id, caller.object_id)
    if user is None:
        raise not_found(caller.object_id)
    return user


@router.get(
    "/me",
    dependencies=[SelectOption],
    responses=ok(UserResource),
    operation_id="me_get",
    summary="The signed-in user (delegated tokens only).",
)
def get_me(call: CallDep) -> Response:
    """Graph `GET /me`: any delegated scope lets a user read its own profile (`User.Read`)."""
    user = signed_in_user(call)
    return call.one(user_records(call, [user])[0], USER_FIELDS, "users")


@router.post(
    "/me/changePassword",
    status_code=204,
    responses=no_content("Changed; sessions and refresh tokens from before the change stop working."),
    operation_id="me_changePassword",
    summary="Change the signed-in user's password: currentPassword, newPassword.",
)
def change_password(body: Annotated[ChangePasswordInput, Body()], call: CallDep) -> Response:
    """Graph `POST /me/changePassword`; a refusal is a 400 whose message starts with its AADSTS code."""
    user = signed_in_user(call)
    if not CHANGE_PASSWORD_SCOPES & call.caller.caller.permissions:
        raise denied(
            "Insufficient privileges to complete the operation. Requires one of the delegated permissions: "
            + ", ".join(sorted(CHANGE_PASSWORD_SCOPES))
            + "."
        )
    call.deps.users.change_password(user, body.current_password, body.new_password, ctx=call.audit)
    return Response(status_code=204)
