"""What the user routes share: the wire records (`passwordPolicies` only when `$select`ed), the sensitive-
action check of entra-reference §5.6, and the admin reset both `PATCH passwordProfile` and `resetPassword`
take."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tenantry.directory.authorization import Action
from tenantry.directory.models import User
from tenantry.directory.roles import RoleDefinition
from tenantry.graph.auth import Call
from tenantry.graph.fields import USER_FIELDS
from tenantry.graph.listing import selected
from tenantry.graph.schemas.users import user_view


def user_records(call: Call, users: Iterable[User]) -> list[dict[str, Any]]:
    """Users on the wire; Graph returns `passwordPolicies` only when `$select` names it."""
    select = selected(call.request, USER_FIELDS)
    keep_policies = select is not None and "passwordPolicies" in select
    records = [user_view(u) for u in users]
    if not keep_policies:
        for record in records:
            record.pop("passwordPolicies", None)
    return records


def _target(call: Call, target: User) -> tuple[tuple[RoleDefinition, ...], bool]:
    authorizer = call.deps.authorizer
    roles = authorizer.roles_of_principal(call.tenant_id, target.id)
    return roles, authorizer.is_in_role_assignable_group(call.tenant_id, target.id)


def check_sensitive(call: Call, action: Action, target: User) -> None:
    """Deleting, enabling, disabling or renaming `target`: `action`, and the caller's roles must reach the
    target's roles and its membership of a role-assignable group (the second table of entra-reference §5.6)."""
    roles, in_group = _target(call, target)
    call.rights.check_sensitive_user_update(action, roles, target_in_role_assignable_group=in_group)


def check_revocation(call: Call, target: User) -> None:
    """Signing `target` out everywhere: the reset table (§5.6: "reset passwords and invalidate refresh tokens")."""
    roles, in_group = _target(call, target)
    call.rights.check_session_revocation(roles, target_in_role_assignable_group=in_group)


def check_reset(call: Call, target: User) -> None:
    """Resetting `target`'s password (or its force-change flag): the reset table of §5.6."""
    roles, in_group = _target(call, target)
    call.rights.check_password_reset(roles, target_in_role_assignable_group=in_group)


def reset_password(call: Call, user: User, password: str | None, *, force_change: bool) -> str | None:
    """An admin reset of `user` by the caller, under the reset table of §5.6; returns the generated
    password, or None when `password` was given."""
    check_reset(call, user)
    return call.deps.users.reset_password(user, password, force_change=force_change, ctx=call.audit).generated_password


def require_password_change(call: Call, user: User, force: bool) -> None:
    """`passwordProfile.forceChangePasswordNextSignIn` alone: part of resetting, so under the same table."""
    check_reset(call, user)
    call.deps.users.require_password_change(user, force, ctx=call.audit)
