"""The command bar of a user's page: *Reset password*, *Revoke sessions*, *Block sign-in* / *Unblock sign-in*.

Each command asks the check Graph makes for the same call twice: for a user without a role (may this
administrator do it to anyone? if not, the button is absent) and for the target (if not, it is disabled
and says why, naming the target's roles and the roles that may, from the tables of `password_reset.py`):
- *Reset password*: `check_password_reset` (Graph's `resetPassword`, `passwordProfile`);
- *Revoke sessions*: `check_session_revocation` (`revokeSignInSessions`; one's own needs no role);
- *Block* / *Unblock sign-in*: `check_sensitive_user_update` with `USER_DISABLE` / `USER_ENABLE`
  (`PATCH accountEnabled`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tenantry.directory.authorization import Action, AuthorizationError, CallerRights
from tenantry.directory.models import User
from tenantry.directory.password_reset import roles_that_may_reset, roles_that_may_update_sensitive_attributes
from tenantry.directory.roles import RoleDefinition

Probe = Callable[[Sequence[RoleDefinition], bool], None]
Allowed = Callable[..., list[RoleDefinition]]


@dataclass(frozen=True)
class Target:
    """A user and what decides who may act on them."""

    user: User
    roles: tuple[RoleDefinition, ...]
    in_role_assignable_group: bool


@dataclass(frozen=True)
class Command:
    """One button: its id (also its path), label, and whether it is absent, enabled or disabled (why)."""

    key: str
    label: str
    shown: bool
    enabled: bool = False
    reason: str = ""


def names(roles: Sequence[RoleDefinition], *, plural: bool = False) -> str:
    """ "A", "A and B", "A, B and C" (with an "s" on each role when `plural`)."""
    words = [r.display_name + ("s" if plural else "") for r in roles]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _command(key: str, label: str, probe: Probe, target: Target, why: tuple[str, Allowed]) -> Command:
    sentence, allowed_roles = why
    try:
        probe((), False)
    except AuthorizationError:
        return Command(key, label, shown=False)
    try:
        probe(target.roles, target.in_role_assignable_group)
    except AuthorizationError:
        allowed = allowed_roles(target.roles, target_in_role_assignable_group=target.in_role_assignable_group)
        held = names(target.roles) if target.roles else "membership of a role-assignable group"
        reason = f"You can't {sentence}: they hold {held}; only {names(allowed, plural=True)} can."
        return Command(key, label, shown=True, enabled=False, reason=reason)
    return Command(key, label, shown=True, enabled=True)


def reset_command(rights: CallerRights, target: Target) -> Command:
    """*Reset password*."""

    def probe(roles: Sequence[RoleDefinition], in_group: bool) -> None:
        rights.check_password_reset(roles, target_in_role_assignable_group=in_group)

    why = ("reset this user's password", roles_that_may_reset)
    return _command("reset-password", "Reset password", probe, target, why)


def revoke_command(rights: CallerRights, target: Target) -> Command:
    """*Revoke sessions*; always enabled on one's own account, as Graph allows."""
    if target.user.id == rights.caller.object_id:
        return Command("revoke-sessions", "Revoke sessions", shown=True, enabled=True)

    def probe(roles: Sequence[RoleDefinition], in_group: bool) -> None:
        rights.check_session_revocation(roles, target_in_role_assignable_group=in_group)

    why = ("sign this user out everywhere", roles_that_may_reset)
    return _command("revoke-sessions", "Revoke sessions", probe, target, why)


def sign_in_action(target: Target) -> Action:
    """Blocking an enabled user, or unblocking a blocked one."""
    return Action.USER_DISABLE if target.user.account_enabled else Action.USER_ENABLE


def sign_in_command(rights: CallerRights, target: Target) -> Command:
    """*Block sign-in* or *Unblock sign-in*."""
    action = sign_in_action(target)
    verb = "block" if action is Action.USER_DISABLE else "unblock"

    def probe(roles: Sequence[RoleDefinition], in_group: bool) -> None:
        rights.check_sensitive_user_update(action, roles, target_in_role_assignable_group=in_group)

    why = (f"{verb} this user's sign-in", roles_that_may_update_sensitive_attributes)
    return _command("sign-in", f"{verb.title()} sign-in", probe, target, why)


def commands(rights: CallerRights, target: Target) -> tuple[Command, ...]:
    """The command bar, in the portal's order."""
    return reset_command(rights, target), revoke_command(rights, target), sign_in_command(rights, target)
