"""`/users`: list, create, read, update and delete users, their `memberOf`, `revokeSignInSessions`, and the
password method's `resetPassword` (entra-reference §5.1, §5.6).

Rights are Entra's: a delegated caller needs a scope that covers the action *and* a role that allows it;
an app-only caller its application permission. Changing a user's password, sign-in state, UPN or deleting
it is *sensitive* (§5.6's second table): the caller's roles must also reach the target's roles, exactly as
for a password reset, so a User Administrator cannot disable or rename a Global Administrator.
"""

# No `from __future__ import annotations`: FastAPI must see the dependencies the routes declare.

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from tenantry.directory.authorization import Action
from tenantry.directory.models import User
from tenantry.directory.users import NewUser
from tenantry.graph.auth import CallDep, CallerDep, Deps
from tenantry.graph.errors import bad_request, not_found
from tenantry.graph.fields import AUTHENTICATION_METHOD_FIELDS, GROUP_FIELDS, USER_FIELDS
from tenantry.graph.listing import API_PREFIX, context_url
from tenantry.graph.responses import GraphJson
from tenantry.graph.routes.common import ListOptions, SelectOption, check_object_id, no_content, ok
from tenantry.graph.routes.user_rights import (
    check_reset,
    check_revocation,
    check_sensitive,
    require_password_change,
    reset_password,
    user_records,
)
from tenantry.graph.schemas.auth_methods import method_view
from tenantry.graph.schemas.common import Collection, graph_datetime
from tenantry.graph.schemas.users import (
    PASSWORD_METHOD_ID,
    GroupResource,
    MemberObjectsInput,
    PasswordMethodResource,
    PasswordResetResponse,
    ResetPasswordInput,
    RevokeResult,
    UserInput,
    UserPatch,
    UserResource,
    group_view,
)

router = APIRouter(tags=["users"])


def user_by_reference(id: str, caller: CallerDep, deps: Deps) -> User:
    """`/users/{id | userPrincipalName}`, in the caller's tenant."""
    reference = id if "@" in id else check_object_id(id)
    user = deps.users.find_tenant_user(caller.tenant_id, reference)
    if user is None:
        raise not_found(id)
    return user


UserDep = Annotated[User, Depends(user_by_reference)]


@router.get(
    "/users",
    dependencies=[ListOptions],
    responses=ok(Collection[UserResource]),
    operation_id="users_list",
    summary="List the tenant's users (`passwordPolicies` only on `$select`).",
)
def list_users(call: CallDep) -> Response:
    """Graph `GET /users`: `$filter` on userPrincipalName, displayName, accountEnabled, `startswith`."""
    call.rights.check(Action.USER_READ)
    return call.page(user_records(call, call.deps.users.list_users(call.tenant_id)), USER_FIELDS, "users")


@router.post(
    "/users",
    status_code=201,
    responses=ok(UserResource, 201, "Created."),
    operation_id="users_create",
    summary="Create a user: accountEnabled, displayName, mailNickname, userPrincipalName, passwordProfile.",
)
def create_user(body: Annotated[UserInput, Body()], call: CallDep) -> Response:
    """Graph `POST /users`: the UPN's domain must be a verified domain of the tenant; the password meets
    the policy (`DisableStrongPassword` relaxes it); `forceChangePasswordNextSignIn` is as given."""
    call.rights.check(Action.USER_CREATE)
    missing = body.missing()
    if missing:
        raise bad_request(f"Property '{missing[0]}' is required when creating the user.")
    profile = body.password_profile
    assert profile is not None and profile.password is not None  # `missing` checked it
    new = NewUser(
        user_principal_name=body.user_principal_name or "",
        display_name=body.display_name or "",
        password=profile.password,
        account_enabled=bool(body.account_enabled),
        mail=body.mail,
        given_name=body.given_name,
        surname=body.surname,
        mail_nickname=body.mail_nickname,
        password_policies=body.password_policies,
        force_change_password_next_sign_in=bool(profile.force_change_password_next_sign_in),
    )
    user = call.deps.users.add_user(call.tenant_id, new, ctx=call.audit)
    record = {"@odata.context": context_url(call.base_url, "users/$entity"), **user_records(call, [user])[0]}
    return GraphJson(record, status_code=201, headers={"Location": f"{call.base_url}{API_PREFIX}/users/{user.id}"})


@router.get(
    "/users/{id}",
    dependencies=[SelectOption],
    responses=ok(UserResource),
    operation_id="users_get",
    summary="Read one user by object id or userPrincipalName.",
)
def get_user(user: UserDep, call: CallDep) -> Response:
    """Graph `GET /users/{id | userPrincipalName}`; a user may always read itself."""
    if user.id != call.caller.caller.object_id or call.caller.caller.is_app:
        call.rights.check(Action.USER_READ)
    return call.one(user_records(call, [user])[0], USER_FIELDS, "users")


@router.patch(
    "/users/{id}",
    status_code=204,
    responses=no_content("Updated."),
    operation_id="users_update",
    summary="Update a user; `passwordProfile` resets the password (an admin reset).",
)
def update_user(user: UserDep, body: Annotated[UserPatch, Body()], call: CallDep) -> Response:
    """Graph `PATCH /users/{id}`: basic properties need `users/basic/update`; `accountEnabled`, the UPN and
    `passwordProfile` are sensitive (the caller's roles must reach the target's)."""
    changes = body.changes()
    if set(changes) - {"account_enabled"}:
        call.rights.check(Action.USER_UPDATE)
    if "account_enabled" in changes:
        enable = changes["account_enabled"]
        check_sensitive(call, Action.USER_ENABLE if enable else Action.USER_DISABLE, user)
    if "user_principal_name" in changes:
        check_sensitive(call, Action.USER_UPDATE, user)
    if body.password_profile is not None:
        check_reset(call, user)  # every check before the first write
        profile = body.password_profile
        force = profile.force_change_password_next_sign_in
        if profile.password is not None:
            reset_password(call, user, profile.password, force_change=True if force is None else force)
        elif force is not None:
            require_password_change(call, user, force)
    if changes:
        call.deps.users.update_user(user, changes, ctx=call.audit)
    return Response(status_code=204)


@router.delete(
    "/users/{id}",
    status_code=204,
    responses=no_content("Deleted."),
    operation_id="users_delete",
    summary="Delete a user (with its memberships, role assignments, sessions and tokens).",
)
def delete_user(user: UserDep, call: CallDep) -> Response:
    """Graph `DELETE /users/{id}`: sensitive, like a reset; nobody deletes itself."""
    check_sensitive(call, Action.USER_DELETE, user)
    if user.id == call.caller.caller.object_id:
        raise bad_request("A user cannot delete itself.")
    call.deps.users.delete_user(user, ctx=call.audit)
    return Response(status_code=204)


@router.get(
    "/users/{id}/memberOf",
    dependencies=[ListOptions],
    responses=ok(Collection[GroupResource]),
    operation_id="users_listMemberOf",
    summary="The groups the user is a direct member of.",
)
def list_member_of(user: UserDep, call: CallDep) -> Response:
    """Graph `GET /users/{id}/memberOf` (groups only: directory roles are read through roleManagement)."""
    if user.id != call.caller.caller.object_id or call.caller.caller.is_app:
        call.rights.check(Action.GROUP_READ)
    records = [{"@odata.type": "#microsoft.graph.group", **group_view(g)} for g in call.deps.users.list_groups_of(user)]
    return call.page(records, GROUP_FIELDS, f"users/{user.id}/memberOf", "directoryObjects")


@router.post(
    "/users/{id}/getMemberObjects",
    responses=ok(dict[str, object], description="`value`: the ids of the user's groups."),
    operation_id="users_getMemberObjects",
    summary="The ids of the groups the user belongs to: where a token's groups overage claim points.",
)
def get_member_objects(user: UserDep, body: Annotated[MemberObjectsInput, Body()], call: CallDep) -> Response:
    """Graph `getMemberObjects` (direct memberships: Tenantry has no nested groups)."""
    if user.id != call.caller.caller.object_id or call.caller.caller.is_app:
        call.rights.check(Action.GROUP_READ)
    groups = call.deps.users.list_groups_of(user)
    ids = [g.id for g in groups if g.security_enabled or not body.security_enabled_only]
    return GraphJson({"@odata.context": context_url(call.base_url, "Collection(Edm.String)"), "value": ids})


@router.post(
    "/users/{id}/revokeSignInSessions",
    responses=ok(RevokeResult),
    operation_id="users_revokeSignInSessions",
    summary="Invalidate the user's refresh tokens and SSO sessions (their next use answers 50173 / 50133).",
)
def revoke_sign_in_sessions(user: UserDep, call: CallDep) -> Response:
    """Graph `revokeSignInSessions`: a user may revoke its own; otherwise `invalidateAllRefreshTokens` under
    the reset table (§5.6: the roles that "reset passwords and invalidate refresh tokens")."""
    if user.id != call.caller.caller.object_id or call.caller.caller.is_app:
        check_revocation(call, user)
    call.deps.users.revoke_sessions(user, ctx=call.audit)
    return GraphJson({"@odata.context": context_url(call.base_url, "Edm.Boolean"), "value": True})


@router.post(
    "/users/{id}/tenantry.unlock",
    status_code=204,
    responses=no_content(),
    operation_id="users_unlock",
    summary="Tenantry extension: lift the user's smart lockout at once (Entra has no v1.0 API for it).",
)
def unlock(user: UserDep, call: CallDep) -> Response:
    """An administrator's unlock (entra-reference §5.3: "Admins can unlock immediately"), under the roles
    that may reset the user's password (the reset table of §5.6); audited as "Unlock user"."""
    check_reset(call, user)
    call.deps.lockout.unlock(user.tenant_id, user.id, user.user_principal_name, call.audit)
    return Response(status_code=204)


def _password_method(user: User) -> dict[str, object]:
    return PasswordMethodResource(created_date_time=user.password_changed_at or user.created_at).wire()


def add_methods_route(segment: str, suffix: str) -> None:
    """The list of the user's methods: under `methods` its password, authenticator apps and Temporary Access
    Passes (graph/routes/auth_methods.py); under `passwordMethods` its password alone."""

    @router.get(
        f"/users/{{id}}/authentication/{segment}",
        dependencies=[ListOptions],
        responses=ok(Collection[PasswordMethodResource]),
        operation_id=f"users_list{suffix}",
        summary="The user's authentication methods: its password (and, under `methods`, TOTP and TAP methods).",
    )
    def list_methods(user: UserDep, call: CallDep) -> Response:
        """Graph `GET …/authentication/methods`: one `passwordAuthenticationMethod` (never the password), then
        `softwareOathAuthenticationMethod` / `temporaryAccessPassAuthenticationMethod` entries (never a secret)."""
        if user.id != call.caller.caller.object_id or call.caller.caller.is_app:
            call.rights.check(Action.USER_READ)
        path = f"users/{user.id}/authentication/{segment}"
        records = [_password_method(user)]
        if segment == "methods":
            now = call.deps.clock.now()
            records += [method_view(m, now) for m in call.deps.auth_methods.list_methods(user)]
        return call.page(records, AUTHENTICATION_METHOD_FIELDS, path)


add_methods_route("methods", "AuthenticationMethods")
add_methods_route("passwordMethods", "PasswordMethods")


def add_reset_route(path: str, suffix: str) -> None:
    """`resetPassword` on the password method, under `methods` and `passwordMethods` alike."""

    @router.post(
        path,
        status_code=202,
        responses=ok(PasswordResetResponse, 202, "Accepted; `newPassword` holds a generated password (once)."),
        operation_id=f"users_resetPassword{suffix}",
        summary="An administrator's reset: without `newPassword` a temporary one is generated and returned once.",
    )
    def reset(user: UserDep, method_id: str, body: Annotated[ResetPasswordInput, Body()], call: CallDep) -> Response:
        """Graph `resetPassword`: the user must change the password at next sign-in; its refresh tokens and
        sessions are revoked."""
        if method_id.lower() != PASSWORD_METHOD_ID:
            raise not_found(method_id)
        generated = reset_password(call, user, body.new_password, force_change=True)
        operation = f"{call.base_url}{API_PREFIX}/users/{user.id}/authentication/operations/{PASSWORD_METHOD_ID}"
        answer = {
            "@odata.context": context_url(call.base_url, "microsoft.graph.passwordResetResponse"),
            **PasswordResetResponse(new_password=generated).wire(),
        }
        return GraphJson(answer, status_code=202, headers={"Location": operation})


add_reset_route("/users/{id}/authentication/methods/{method_id}/resetPassword", "")
add_reset_route("/users/{id}/authentication/passwordMethods/{method_id}/resetPassword", "_passwordMethods")


@router.get(
    "/users/{id}/authentication/operations/{operation_id}",
    responses=ok(dict[str, object], description="The reset's long-running operation: it has always succeeded."),
    operation_id="users_getAuthenticationOperation",
    summary="Where resetPassword's Location points: Tenantry resets synchronously, so the operation succeeded.",
)
def get_operation(user: UserDep, operation_id: str, call: CallDep) -> Response:
    """Graph `longRunningOperation` of `resetPassword` (clients poll it until `succeeded`)."""
    if user.id != call.caller.caller.object_id or call.caller.caller.is_app:
        call.rights.check(Action.USER_READ)
    if operation_id.lower() != PASSWORD_METHOD_ID:
        raise not_found(operation_id)
    when = graph_datetime(user.password_changed_at or user.created_at)
    context = context_url(call.base_url, "microsoft.graph.longRunningOperation")
    record = {"id": PASSWORD_METHOD_ID, "createdDateTime": when, "lastActionDateTime": when, "status": "succeeded"}
    return GraphJson({"@odata.context": context, **record, "statusDetail": None})
