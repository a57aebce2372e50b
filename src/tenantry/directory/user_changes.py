"""What user and group changes are made of: the request values (`NewUser`, `PasswordReset`), the refusals the
services raise (Graph and the CLI turn them into their own answers), the UPN rules (entra-reference §5.1) and
the audit targets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from tenantry.audit.models import Target
from tenantry.directory.models import Group, User
from tenantry.errors import AadstsError

# Entra's UPN rules (entra-reference §5.1): allowed characters, one @, no dot before it, length limits.
_UPN_LOCAL = re.compile(r"^[A-Za-z0-9'._!#^~-]{1,64}$")


class UserError(ValueError):
    """A request the directory refuses, with a message fit for the CLI and Graph."""


class UserNotFoundError(LookupError):
    """No such user or group in the tenant."""


class PasswordRefusedError(ValueError):
    """A new or current password refused with an AADSTS 1200xx answer (entra-reference §5.2, §5.4); the
    message starts with the code, as Graph's `changePassword` and the CLI show it."""

    def __init__(self, error: AadstsError) -> None:
        super().__init__(str(error))
        self.error = error
        self.message = str(error)


@dataclass(frozen=True, slots=True)
class NewUser:
    """Graph `POST /users`: what a new cloud user is made of."""

    user_principal_name: str
    display_name: str
    password: str
    account_enabled: bool = True
    mail: str | None = None
    given_name: str | None = None
    surname: str | None = None
    mail_nickname: str | None = None
    password_policies: str | None = None
    force_change_password_next_sign_in: bool = False


# Graph property → `User` attribute, for the properties `update_user` may change.
USER_PROPERTIES = {
    "accountEnabled": "account_enabled",
    "displayName": "display_name",
    "userPrincipalName": "user_principal_name",
    "mail": "mail",
    "givenName": "given_name",
    "surname": "surname",
    "mailNickname": "mail_nickname",
    "passwordPolicies": "password_policies",
}
# Read-only in Graph (directory sync writes them on Entra); `tenantry user update --on-premises-*` sets them here.
ON_PREMISES_PROPERTIES = {
    "onPremisesUserPrincipalName": "on_premises_user_principal_name",
    "onPremisesSamAccountName": "on_premises_sam_account_name",
    "onPremisesSecurityIdentifier": "on_premises_security_identifier",
}


@dataclass(frozen=True, slots=True)
class PasswordReset:
    """The user after an admin reset, and the temporary password when it was generated (shown once)."""

    user: User
    generated_password: str | None


def not_found_message(object_id: str) -> str:
    """Graph's sentence for an object that is not there."""
    return f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present."


def user_target(user: User, modified: tuple[tuple[str, str, str], ...] = ()) -> Target:
    """The audit log's name for a user."""
    return Target("User", user.id, user.user_principal_name, modified)


def group_target(group: Group, modified: tuple[tuple[str, str, str], ...] = ()) -> Target:
    """The audit log's name for a group."""
    return Target("Group", group.id, group.display_name, modified)


def changed_properties(before: object, after: object, names: Mapping[str, str]) -> tuple[tuple[str, str, str], ...]:
    """(Graph property, old, new) of every property in `names` that differs, for the audit record."""
    return tuple(
        (prop, str(getattr(before, attr)), str(getattr(after, attr)))
        for prop, attr in names.items()
        if getattr(before, attr) != getattr(after, attr)
    )


def check_upn(upn: str, domains: tuple[str, ...]) -> str:
    """Validate a userPrincipalName against Entra's rules and the tenant's verified domains."""
    local, sep, domain = upn.strip().rpartition("@")
    if not sep or not _UPN_LOCAL.fullmatch(local) or local.endswith(".") or len(upn) > 113 or len(domain) > 48:
        raise UserError(f"'{upn}' is not a valid userPrincipalName")
    if domain.lower() not in domains:
        raise UserError(f"the domain of '{upn}' is not a verified domain of the tenant")
    return f"{local}@{domain.lower()}"
