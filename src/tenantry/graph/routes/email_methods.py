"""`/users/{id}/authentication/emailMethods` (Graph v1.0): list, create, read, update and delete a user's
e-mail authentication method, the address self-service password reset mails its one-time code to (never
`mail`). Entra allows one per user.

Rights: reading as the other methods (the user itself, or `User.Read`); writing follows the password-reset
table of entra-reference §5.6 (`check_reset`), because an address one controls on someone's account is a
way to reset their password: an Authentication Administrator reaches users without an admin role, only
Privileged Authentication and Global Administrators reach admins; app-only
`UserAuthenticationMethod.ReadWrite.All` reaches users without an admin role. A user without those rights
cannot add one to their own account through Graph either: the security info page does that, after proving
the address with a code sent to it.
"""

# No `from __future__ import annotations`: FastAPI must see the dependencies the routes declare.

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
from tenantry.graph.schemas.common import Collection
from tenantry.graph.schemas.email_methods import EmailMethodInput, EmailMethodResource, email_view
from tenantry.sessions.mfa import AuthMethod, MethodType
from tenantry.sessions.sspr.methods import SecurityInfoError, SecurityInfoService

router = APIRouter(tags=["users"])
PATH = "/users/{id}/authentication/emailMethods"


def _service(call: Call) -> SecurityInfoService:
    service = call.deps.security_info
    if service is None:
        raise not_found("emailMethods")
    return service


def _check_read(call: Call, user: User) -> None:
    if user.id != call.caller.caller.object_id or call.caller.caller.is_app:
        call.rights.check(Action.USER_READ)


def _one(call: Call, user: User, method_id: str) -> AuthMethod:
    for method in _service(call).email_methods(user):
        if method.id == method_id:
            return method
    raise not_found(method_id)


def _entity(call: Call, user: User, method: AuthMethod, status: int = 200) -> Response:
    fragment = f"users('{user.id}')/authentication/emailMethods/$entity"
    return GraphJson({"@odata.context": context_url(call.base_url, fragment), **email_view(method)}, status_code=status)


@router.get(
    PATH,
    dependencies=[ListOptions],
    responses=ok(Collection[EmailMethodResource]),
    operation_id="users_listEmailMethods",
    summary="The user's e-mail authentication method (where SSPR codes go).",
)
def list_email_methods(user: UserDep, call: CallDep) -> Response:
    """Graph `GET …/emailMethods`."""
    _check_read(call, user)
    records = [email_view(m) for m in _service(call).email_methods(user)]
    return call.page(records, AUTHENTICATION_METHOD_FIELDS, f"users/{user.id}/authentication/emailMethods")


@router.post(
    PATH,
    status_code=201,
    responses=ok(EmailMethodResource, 201, "Created."),
    operation_id="users_createEmailMethods",
    summary="Register the user's e-mail method (under the password-reset table).",
)
def create_email_method(user: UserDep, body: Annotated[EmailMethodInput, Body()], call: CallDep) -> Response:
    """Graph `POST …/emailMethods`: 400 when the user has one; audited "Admin registered security info"."""
    check_reset(call, user)
    try:
        method = _service(call).add_email(user, body.email_address, call.audit, by_admin=True)
    except SecurityInfoError as err:
        raise bad_request(str(err)) from err
    return _entity(call, user, method, 201)


@router.get(
    f"{PATH}/{{method_id}}",
    responses=ok(EmailMethodResource),
    operation_id="users_getEmailMethods",
    summary="The user's e-mail method.",
)
def get_email_method(user: UserDep, method_id: str, call: CallDep) -> Response:
    """Graph `GET …/emailMethods/{id}`."""
    _check_read(call, user)
    return _entity(call, user, _one(call, user, method_id))


@router.patch(
    f"{PATH}/{{method_id}}",
    responses=ok(EmailMethodResource),
    operation_id="users_updateEmailMethods",
    summary="Change the address (under the password-reset table).",
)
def update_email_method(
    user: UserDep, method_id: str, body: Annotated[EmailMethodInput, Body()], call: CallDep
) -> Response:
    """Graph `PATCH …/emailMethods/{id}`; audited."""
    check_reset(call, user)
    try:
        method = _service(call).update_email(user, method_id, body.email_address, call.audit, by_admin=True)
    except SecurityInfoError as err:
        raise bad_request(str(err)) from err
    if method is None:
        raise not_found(method_id)
    return _entity(call, user, method)


@router.delete(
    f"{PATH}/{{method_id}}",
    status_code=204,
    responses=no_content("Deleted."),
    operation_id="users_deleteEmailMethods",
    summary="Delete the user's e-mail method (under the password-reset table).",
)
def delete_email_method(user: UserDep, method_id: str, call: CallDep) -> Response:
    """Graph `DELETE …/emailMethods/{id}`; audited "Admin deleted security info"."""
    check_reset(call, user)
    if not _service(call).delete_method(user, method_id, MethodType.EMAIL, call.audit, by_admin=True):
        raise not_found(method_id)
    return Response(status_code=204)
