"""Who may reset whose password: entra-reference §5.6 as data.

Rows are the target's roles, columns the actor's; an `x` is "may reset the password and invalidate the
refresh tokens". A target holding several roles is reached only by an actor role that reaches every one of
them (its most protected role decides); a target with no role is the row "User (no admin role)"; a
target that is a member of a role-assignable group also gets that row's restriction (only Privileged
Authentication and Global Administrators), and a role the table does not name is "All other built-in
roles". Administrative units are not modelled.

The same table's Authentication, User, Privileged Authentication and Global Administrator columns decide
the sensitive actions on a user (deleting, disabling, changing `userPrincipalName`, phones, `otherMails`):
`may_update_sensitive_attributes`.
"""

from __future__ import annotations

from collections.abc import Iterable

from tenantry.directory.roles import BUILT_IN_ROLES, RoleDefinition, find_role

COLUMNS = (
    "Password Administrator",
    "Helpdesk Administrator",
    "Authentication Administrator",
    "User Administrator",
    "Privileged Authentication Administrator",
    "Global Administrator",
)
# Password and Helpdesk Administrators only reset passwords and sign users out; they are no columns of
# the sensitive-actions table.
SENSITIVE_COLUMNS = COLUMNS[2:]
NO_ROLE = "User (no admin role)"
ROLE_ASSIGNABLE_GROUP_MEMBER = "User (no admin role) who is member/owner of a role-assignable group"
OTHER_ROLES = "All other built-in and custom roles"

# Target's role → which actor roles (in `COLUMNS` order) may reset its password.
#                   Password Admin · Helpdesk Admin · Auth Admin · User Admin · Privileged Auth Admin · Global Admin
RESET_TABLE: tuple[tuple[str, str], ...] = (
    ("Authentication Administrator", "- - x - x x"),
    ("Directory Readers", "x x x x x x"),
    ("Global Administrator", "- - - - x x"),
    ("Groups Administrator", "- - - x x x"),
    ("Guest Inviter", "x x x x x x"),
    ("Helpdesk Administrator", "- x - x x x"),
    ("Message Center Reader", "- x x x x x"),
    ("Password Administrator", "x x x x x x"),
    ("Privileged Authentication Administrator", "- - - - x x"),
    ("Privileged Role Administrator", "- - - - x x"),
    ("Reports Reader", "- x x x x x"),
    (NO_ROLE, "x x x x x x"),
    (ROLE_ASSIGNABLE_GROUP_MEMBER, "- - - - x x"),
    ("User Administrator", "- - - x x x"),
    ("User Experience Success Manager", "- x x x x x"),
    ("Usage Summary Reports Reader", "- x x x x x"),
    (OTHER_ROLES, "- - - - x x"),
)


def _template_id(name: str) -> str:
    role = find_role(name)
    if role is None:
        raise LookupError(f"the reset table names '{name}', which is not a built-in role")
    return role.id


def _parse(table: tuple[tuple[str, str], ...]) -> dict[str, frozenset[str]]:
    """Row key (a target role's template id, or a special row's name) → template ids of the actor roles."""
    actors = [_template_id(name) for name in COLUMNS]
    rows: dict[str, frozenset[str]] = {}
    for target, marks in table:
        cells = marks.split()
        if len(cells) != len(actors) or set(cells) - {"x", "-"}:
            raise ValueError(f"reset table row '{target}' must have {len(actors)} cells of 'x' or '-'")
        key = target if target in (NO_ROLE, ROLE_ASSIGNABLE_GROUP_MEMBER, OTHER_ROLES) else _template_id(target)
        rows[key] = frozenset(actor for actor, cell in zip(actors, cells, strict=True) if cell == "x")
    return rows


_ROWS = _parse(RESET_TABLE)
_SENSITIVE_ACTORS = frozenset(_template_id(name) for name in SENSITIVE_COLUMNS)


def _rows_for(target_roles: Iterable[RoleDefinition], in_role_assignable_group: bool) -> list[frozenset[str]]:
    """The table rows that apply to a target: one per role it holds (or "no admin role"), and the
    role-assignable group row when it is a member of one."""
    rows = [_ROWS.get(role.id, _ROWS[OTHER_ROLES]) for role in target_roles] or [_ROWS[NO_ROLE]]
    if in_role_assignable_group:
        rows.append(_ROWS[ROLE_ASSIGNABLE_GROUP_MEMBER])
    return rows


def may_reset_password(
    actor_roles: Iterable[RoleDefinition],
    target_roles: Iterable[RoleDefinition],
    *,
    target_in_role_assignable_group: bool = False,
) -> bool:
    """Whether one of the actor's roles may reset the password of (and sign out) a user holding
    `target_roles`: that role must be allowed by the row of every role the target holds."""
    rows = _rows_for(target_roles, target_in_role_assignable_group)
    return any(all(actor.id in row for row in rows) for actor in actor_roles)


def roles_that_may_reset(
    target_roles: Iterable[RoleDefinition], *, target_in_role_assignable_group: bool = False
) -> list[RoleDefinition]:
    """The built-in roles that may reset such a target's password, in catalogue order (for "requires one
    of these roles" messages and the reason a reset button is disabled)."""
    rows = _rows_for(target_roles, target_in_role_assignable_group)
    return [role for role in BUILT_IN_ROLES if all(role.id in row for row in rows)]


def may_update_sensitive_attributes(
    actor_roles: Iterable[RoleDefinition],
    target_roles: Iterable[RoleDefinition],
    *,
    target_in_role_assignable_group: bool = False,
) -> bool:
    """Whether one of the actor's roles may delete, disable or change sensitive properties of such a
    target (the reset table without its Password and Helpdesk Administrator columns)."""
    sensitive = [role for role in actor_roles if role.id in _SENSITIVE_ACTORS]
    return may_reset_password(sensitive, target_roles, target_in_role_assignable_group=target_in_role_assignable_group)


def roles_that_may_update_sensitive_attributes(
    target_roles: Iterable[RoleDefinition], *, target_in_role_assignable_group: bool = False
) -> list[RoleDefinition]:
    """The built-in roles that may change such a target's sensitive properties, in catalogue order."""
    roles = roles_that_may_reset(target_roles, target_in_role_assignable_group=target_in_role_assignable_group)
    return [role for role in roles if role.id in _SENSITIVE_ACTORS]
