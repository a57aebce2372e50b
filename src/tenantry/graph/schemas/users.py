"""Graph `user`, `group`, `passwordAuthenticationMethod` and `passwordResetResponse`, with their request bodies
(v1.0 names; entra-reference §5.1).

`passwordPolicies` is returned only when `$select`ed, as Graph does; `passwordProfile` is write-only;
`onPremisesUserPrincipalName`, `onPremisesSamAccountName` and `onPremisesSecurityIdentifier` are what
`tenantry user update --on-premises-*` set (standing in for directory sync; seamless SSO maps Kerberos
principals by them) and are read-only here as on Entra; the other `onPremises*` properties are always null.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from tenantry.directory.models import Group, User
from tenantry.graph.schemas.common import GraphDateTime, GraphInput, GraphModel

# Graph's one password method id, the same for every user.
PASSWORD_METHOD_ID = "28c10230-6103-485e-b985-444c60001490"  # noqa: S105 - an id, not a password
PASSWORD_POLICY_VALUES = frozenset({"None", "DisablePasswordExpiration", "DisableStrongPassword"})
NAME = 256
NICKNAME = 64


class UserResource(GraphModel):
    """Graph `user` (the properties Tenantry keeps)."""

    id: str | None = None
    account_enabled: bool | None = None
    display_name: str | None = None
    user_principal_name: str | None = None
    mail: str | None = None
    given_name: str | None = None
    surname: str | None = None
    mail_nickname: str | None = None
    password_policies: str | None = None
    last_password_change_date_time: GraphDateTime | None = None
    sign_in_sessions_valid_from_date_time: GraphDateTime | None = None
    created_date_time: GraphDateTime | None = None
    on_premises_immutable_id: str | None = None
    on_premises_sync_enabled: bool | None = None
    on_premises_last_sync_date_time: GraphDateTime | None = None
    on_premises_sam_account_name: str | None = None
    on_premises_user_principal_name: str | None = None
    on_premises_domain_name: str | None = None
    on_premises_security_identifier: str | None = None
    on_premises_distinguished_name: str | None = None


def user_view(user: User) -> dict[str, Any]:
    """The wire form of a user, `passwordPolicies` included (dropped unless `$select`ed by the route)."""
    return UserResource(
        id=user.id,
        account_enabled=user.account_enabled,
        display_name=user.display_name,
        user_principal_name=user.user_principal_name,
        mail=user.mail,
        given_name=user.given_name,
        surname=user.surname,
        mail_nickname=user.mail_nickname or user.user_principal_name.partition("@")[0],
        password_policies=user.password_policies or "None",
        last_password_change_date_time=user.password_changed_at,
        sign_in_sessions_valid_from_date_time=user.sign_in_sessions_valid_from or user.created_at,
        created_date_time=user.created_at,
        on_premises_user_principal_name=user.on_premises_user_principal_name,
        on_premises_sam_account_name=user.on_premises_sam_account_name,
        on_premises_security_identifier=user.on_premises_security_identifier,
    ).wire()


class PasswordProfileInput(GraphInput):
    """`passwordProfile` (write only)."""

    password: str | None = Field(None, max_length=256)
    force_change_password_next_sign_in: bool | None = None
    force_change_password_next_sign_in_with_mfa: bool | None = None


def _check_policies(value: str | None) -> str | None:
    if value is None:
        return None
    parts = {p.strip() for p in value.split(",") if p.strip()}
    if not parts or not parts <= PASSWORD_POLICY_VALUES:
        raise ValueError("passwordPolicies is None, DisablePasswordExpiration, DisableStrongPassword or both")
    parts.discard("None")
    return ", ".join(sorted(parts)) or None


class UserPatch(GraphInput):
    """`PATCH /users/{id}`: any subset; `passwordProfile` resets the password (an admin reset)."""

    account_enabled: bool | None = None
    display_name: str | None = Field(None, min_length=1, max_length=NAME)
    user_principal_name: str | None = Field(None, min_length=3, max_length=113)
    mail: str | None = Field(None, max_length=NAME)
    given_name: str | None = Field(None, max_length=64)
    surname: str | None = Field(None, max_length=64)
    mail_nickname: str | None = Field(None, min_length=1, max_length=NICKNAME)
    password_policies: str | None = Field(None, max_length=64)
    password_profile: PasswordProfileInput | None = None

    _policies = field_validator("password_policies")(_check_policies)

    def changes(self) -> dict[str, object]:
        """`User` attribute → new value for the properties the body names (`null` clears an optional one)."""
        names = {
            "account_enabled": "account_enabled",
            "display_name": "display_name",
            "user_principal_name": "user_principal_name",
            "mail": "mail",
            "given_name": "given_name",
            "surname": "surname",
            "mail_nickname": "mail_nickname",
            "password_policies": "password_policies",
        }
        required = {"account_enabled", "display_name", "user_principal_name", "mail_nickname"}
        sent = self.model_fields_set
        found = {attr: getattr(self, field) for field, attr in names.items() if field in sent}
        return {k: v for k, v in found.items() if v is not None or k not in required}


class UserInput(UserPatch):
    """`POST /users`: `accountEnabled`, `displayName`, `mailNickname`, `userPrincipalName` and
    `passwordProfile.password` are required (entra-reference §5.1)."""

    def missing(self) -> list[str]:
        """The required properties the body lacks (Graph answers 400 naming them)."""
        wanted = {
            "accountEnabled": self.account_enabled,
            "displayName": self.display_name,
            "mailNickname": self.mail_nickname,
            "userPrincipalName": self.user_principal_name,
            "passwordProfile": self.password_profile and self.password_profile.password,
        }
        return [name for name, value in wanted.items() if value is None]


class MemberObjectsInput(GraphInput):
    """`POST /users/{id}/getMemberObjects`: `securityEnabledOnly` keeps security groups alone."""

    security_enabled_only: bool = False


class ChangePasswordInput(GraphInput):
    """`POST /me/changePassword`."""

    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class ResetPasswordInput(GraphInput):
    """`POST …/methods/{id}/resetPassword`: without `newPassword` one is generated and returned once."""

    new_password: str | None = Field(None, max_length=256)


class PasswordResetResponse(GraphModel):
    """Graph `passwordResetResponse`: the generated password (null when the caller gave one)."""

    new_password: str | None = None


class PasswordMethodResource(GraphModel):
    """Graph `passwordAuthenticationMethod`: the password itself is never returned."""

    odata_type: Literal["#microsoft.graph.passwordAuthenticationMethod"] = Field(
        "#microsoft.graph.passwordAuthenticationMethod", alias="@odata.type"
    )
    id: str = PASSWORD_METHOD_ID
    password: str | None = None
    created_date_time: GraphDateTime | None = None


class RevokeResult(GraphModel):
    """`revokeSignInSessions`' answer."""

    odata_context: str | None = Field(None, alias="@odata.context")
    value: bool


class GroupResource(GraphModel):
    """Graph `group` (security groups only)."""

    id: str | None = None
    display_name: str | None = None
    description: str | None = None
    mail_nickname: str | None = None
    mail_enabled: bool | None = None
    security_enabled: bool | None = None
    is_assignable_to_role: bool | None = None
    group_types: list[str] = Field(default_factory=list)
    mail: str | None = None
    created_date_time: GraphDateTime | None = None
    deleted_date_time: GraphDateTime | None = None


def group_view(group: Group) -> dict[str, Any]:
    """The wire form of a group."""
    return GroupResource(
        id=group.id,
        display_name=group.display_name,
        description=group.description or None,
        mail_nickname=group.mail_nickname,
        mail_enabled=group.mail_enabled,
        security_enabled=group.security_enabled,
        is_assignable_to_role=group.is_assignable_to_role,
        created_date_time=group.created_at,
    ).wire()


class GroupPatch(GraphInput):
    """`PATCH /groups/{id}` (`isAssignableToRole` cannot change after creation)."""

    display_name: str | None = Field(None, min_length=1, max_length=NAME)
    description: str | None = Field(None, max_length=1024)
    mail_nickname: str | None = Field(None, min_length=1, max_length=NICKNAME)

    def changes(self) -> dict[str, str]:
        """`Group` attribute → new value (a `null` description clears it)."""
        sent = self.model_fields_set
        found: dict[str, str] = {}
        if self.display_name is not None:
            found["display_name"] = self.display_name
        if self.mail_nickname is not None:
            found["mail_nickname"] = self.mail_nickname
        if "description" in sent:
            found["description"] = self.description or ""
        return found


class GroupInput(GroupPatch):
    """`POST /groups`: `displayName`, `mailEnabled` (false), `mailNickname` and `securityEnabled` (true)."""

    mail_enabled: bool | None = None
    security_enabled: bool | None = None
    is_assignable_to_role: bool | None = None
    group_types: list[str] | None = Field(None, max_length=4)

    def problem(self) -> str | None:
        """Why Tenantry cannot create this group (only security groups exist here), or None."""
        if self.display_name is None or self.mail_nickname is None:
            return "displayName and mailNickname are required."
        if self.mail_enabled is not False or self.security_enabled is not True:
            return "Only security groups are supported: mailEnabled must be false and securityEnabled true."
        if self.group_types:
            return "Only security groups are supported: groupTypes must be empty."
        return None
