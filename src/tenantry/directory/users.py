"""User and group operations for the CLI and Graph; passwords are hashed before they reach storage.

Who may call what is the adapter's business (Graph checks the caller's rights, the CLI acts as the system);
every change made here is audited in its own transaction with the `AuditContext` it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol

from tenantry.audit.events import AuditActivity
from tenantry.audit.recorder import SYSTEM, AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.directory.models import Group, PasswordPolicy, Tenant, User
from tenantry.directory.repository import GroupRepository, TenantRepository, UpnTakenError, UserRepository
from tenantry.directory.user_changes import (
    ON_PREMISES_PROPERTIES,
    USER_PROPERTIES,
    NewUser,
    PasswordRefusedError,
    PasswordReset,
    UserError,
    UserNotFoundError,
    changed_properties,
    check_upn,
    group_target,
    not_found_message,
    user_target,
)
from tenantry.errors import AadstsError
from tenantry.errors.codes import Aadsts
from tenantry.passwords.hashing import PasswordHashing
from tenantry.passwords.policy import (
    PasswordRejectedError,
    check_current_password,
    check_new_password,
    check_password_policy,
    check_replacement,
    context_for,
    generate_password,
)

# Re-exported: the CLI, Graph and the sign-in flow import these from here.
__all__ = [
    "USER_PROPERTIES",
    "NewUser",
    "PasswordRefusedError",
    "PasswordReset",
    "UserError",
    "UserNotFoundError",
    "UserService",
    "UsersUnit",
    "changed_properties",
    "check_upn",
    "group_target",
    "not_found_message",
    "user_target",
]


class UsersUnit(TenantRepository, UserRepository, GroupRepository, AuditRepository, Protocol):
    """The repositories one user/group transaction needs."""


PolicyLookup = Callable[[str], PasswordPolicy]


def _default_policy(tenant_id: str) -> PasswordPolicy:
    return PasswordPolicy(tenant_id)


class UserService:
    """Users and groups of a tenant; each call is one transaction, and each change is audited in it."""

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[UsersUnit]],
        hashing: PasswordHashing,
        clock: Clock,
        policy_for: PolicyLookup = _default_policy,
    ) -> None:
        self._transaction = transaction
        self._hashing = hashing
        self._clock = clock
        self._policy_for = policy_for

    def _system(self) -> AuditContext:
        return AuditContext(SYSTEM, self._clock.now())

    @staticmethod
    def _tenant(unit: UsersUnit, tenant_id: str) -> Tenant:
        tenant = unit.find_tenant(tenant_id)
        if tenant is None:
            raise UserError(f"tenant '{tenant_id}' does not exist")
        return tenant

    def create_user(
        self, tenant_id: str, upn: str, password: str, display_name: str = "", mail: str | None = None
    ) -> User:
        """A new enabled cloud user (the CLI's `user create` and test fixtures): the password needs only the
        complexity rules (`WeakPasswordError`), as an operator's seeded account; Graph uses `add_user`."""
        check_password_policy(password)
        new = NewUser(upn, display_name or upn.strip().partition("@")[0], password, mail=mail)
        return self.add_user(tenant_id, new, banned_check=False)

    def add_user(
        self, tenant_id: str, new: NewUser, *, ctx: AuditContext | None = None, banned_check: bool = True
    ) -> User:
        """Graph `POST /users`: the UPN in a verified domain of the tenant, not taken; the password meets the
        tenant's policy (`passwordPolicies` `DisableStrongPassword` relaxes it)."""
        ctx = ctx or self._system()
        policy = self._policy_for(tenant_id) if banned_check else None
        with self._transaction() as unit:
            tenant = self._tenant(unit, tenant_id)
            normalised = check_upn(new.user_principal_name, tenant.domains)
            if unit.find_user_by_upn(normalised) is not None:
                raise UserError(
                    f"Another object with the same value for property userPrincipalName '{normalised}' already exists."
                )
            user = User(
                id=new_guid(),
                tenant_id=tenant.id,
                user_principal_name=normalised,
                display_name=new.display_name,
                created_at=ctx.now,
                mail=new.mail,
                account_enabled=new.account_enabled,
                password_changed_at=ctx.now,
                force_change_password_next_sign_in=new.force_change_password_next_sign_in,
                given_name=new.given_name,
                surname=new.surname,
                mail_nickname=new.mail_nickname,
                password_policies=new.password_policies,
            )
            if policy is not None:
                self._refuse(user, tenant, policy, new.password)
            user = replace(user, password_hash=self._hashing.hash(new.password))
            try:
                unit.add_user(user)
            except UpnTakenError as exc:
                raise UserError(str(exc)) from exc
            record(unit, ctx, tenant.id, AuditActivity.ADD_USER, (user_target(user),), "Add")
        return user

    @staticmethod
    def _refuse(user: User, tenant: Tenant, policy: PasswordPolicy, password: str) -> None:
        """The tenant's policy for a new password of `user` (passwords/policy.py), as `PasswordRefusedError`."""
        try:
            check_new_password(password, context_for(user, tenant, policy))
        except PasswordRejectedError as exc:
            raise PasswordRefusedError(exc) from None

    @classmethod
    def _temporary_password(cls, user: User, tenant: Tenant, policy: PasswordPolicy) -> str:
        """A generated password the tenant's policy accepts for `user` (a random 16 characters nearly always
        is; one that happens to hold the user's name or a banned term is drawn again)."""
        while True:
            candidate = generate_password()
            try:
                cls._refuse(user, tenant, policy, candidate)
            except PasswordRefusedError:
                continue
            return candidate

    def find_user(self, upn: str) -> User | None:
        """By UPN."""
        with self._transaction() as unit:
            return unit.find_user_by_upn(upn)

    def find_tenant_user(self, tenant_id: str, reference: str) -> User | None:
        """Graph's `/users/{id | userPrincipalName}`: by object id or UPN, only within the tenant."""
        with self._transaction() as unit:
            found = unit.find_user(tenant_id, reference.lower()) if "@" not in reference else None
            found = found or (unit.find_user_by_upn(reference) if "@" in reference else None)
        return found if found is not None and found.tenant_id == tenant_id else None

    def list_users(self, tenant_id: str) -> list[User]:
        """The tenant's users."""
        with self._transaction() as unit:
            return unit.list_users(tenant_id)

    def set_enabled(self, user: User, enabled: bool) -> User:
        """Enable or block sign-in (Graph `accountEnabled`)."""
        return self.update_user(user, {"account_enabled": enabled})

    def update_user(self, user: User, changes: Mapping[str, object], *, ctx: AuditContext | None = None) -> User:
        """Graph `PATCH /users/{id}`: `changes` maps `User` attributes (`USER_PROPERTIES`) to new values; a new
        UPN must be in a verified domain and free."""
        ctx = ctx or self._system()
        unknown = set(changes) - set(USER_PROPERTIES.values())
        if unknown:
            raise UserError(f"cannot change {', '.join(sorted(unknown))}")
        with self._transaction() as unit:
            current = unit.find_user(user.tenant_id, user.id) or user
            updated = replace(current, **changes)  # type: ignore[arg-type]
            if updated.user_principal_name != current.user_principal_name:
                upn = check_upn(updated.user_principal_name, self._tenant(unit, user.tenant_id).domains)
                taken = unit.find_user_by_upn(upn)
                if taken is not None and taken.id != user.id:
                    raise UserError(
                        f"Another object with the same value for property userPrincipalName '{upn}' already exists."
                    )
                updated = replace(updated, user_principal_name=upn)
            unit.update_user(updated)
            modified = changed_properties(current, updated, USER_PROPERTIES)
            record(unit, ctx, user.tenant_id, AuditActivity.UPDATE_USER, (user_target(updated, modified),), "Update")
        return updated

    def set_on_premises_account(
        self, user: User, changes: Mapping[str, str | None], *, ctx: AuditContext | None = None
    ) -> User:
        """Stand in for directory sync: the on-premises account (`ON_PREMISES_PROPERTIES` attributes) that
        seamless SSO maps a Kerberos ticket's client principal to. A UPN or sAMAccountName already held by
        another user of the tenant is refused, so one ticket names at most one user."""
        ctx = ctx or self._system()
        unknown = set(changes) - set(ON_PREMISES_PROPERTIES.values())
        if unknown:
            raise UserError(f"cannot change {', '.join(sorted(unknown))}")
        with self._transaction() as unit:
            current = unit.find_user(user.tenant_id, user.id) or user
            updated = replace(current, **changes)  # type: ignore[arg-type]
            for attr in ("on_premises_user_principal_name", "on_premises_sam_account_name"):
                _check_unique_on_premises(unit.list_users(user.tenant_id), updated, attr)
            unit.update_user(updated)
            modified = changed_properties(current, updated, ON_PREMISES_PROPERTIES)
            record(unit, ctx, user.tenant_id, AuditActivity.UPDATE_USER, (user_target(updated, modified),), "Update")
        return updated

    def delete_user(self, user: User, *, ctx: AuditContext | None = None) -> None:
        """Graph `DELETE /users/{id}`: the user goes with its memberships, roles, sessions and tokens."""
        ctx = ctx or self._system()
        with self._transaction() as unit:
            if not unit.delete_user(user.tenant_id, user.id):
                raise UserNotFoundError(not_found_message(user.id))
            record(unit, ctx, user.tenant_id, AuditActivity.DELETE_USER, (user_target(user),), "Delete")

    def revoke_sessions(self, user: User, *, ctx: AuditContext | None = None) -> User:
        """Graph `revokeSignInSessions`: refresh tokens and SSO sessions from before now stop working (50173,
        50133), by moving the user's `signInSessionsValidFromDateTime` to now."""
        ctx = ctx or self._system()
        with self._transaction() as unit:
            current = unit.find_user(user.tenant_id, user.id) or user
            updated = replace(current, sign_in_sessions_valid_from=ctx.now)
            unit.update_user(updated)
            modified = (("StsRefreshTokensValidFrom", str(current.sign_in_sessions_valid_from), str(ctx.now)),)
            record(unit, ctx, user.tenant_id, AuditActivity.UPDATE_USER, (user_target(updated, modified),), "Update")
        return updated

    def reset_password(
        self,
        user: User,
        password: str | None = None,
        *,
        force_change: bool = True,
        ctx: AuditContext | None = None,
    ) -> PasswordReset:
        """An administrator's reset (who may is the adapter's check): the given password must meet the policy,
        else one is generated; the user must change it at next sign-in unless `force_change` is False; every
        refresh token and SSO session is revoked (entra-reference §5.6: "reset passwords and invalidate
        refresh tokens"). Reusing an earlier password is allowed on reset (§5.2)."""
        ctx = ctx or self._system()
        policy = self._policy_for(user.tenant_id)
        with self._transaction() as unit:
            tenant = self._tenant(unit, user.tenant_id)
            named = unit.find_user(user.tenant_id, user.id) or user
        generated = self._temporary_password(named, tenant, policy) if password is None else None
        new_password = generated or password or ""
        if generated is None:
            self._refuse(named, tenant, policy, new_password)
        new_hash = self._hashing.hash(new_password)  # outside the write transaction: argon2 holds no lock
        with self._transaction() as unit:
            current = unit.find_user(user.tenant_id, user.id) or user
            updated = replace(
                current,
                password_hash=new_hash,
                password_changed_at=ctx.now,
                password_expires_at=None,
                force_change_password_next_sign_in=force_change,
                sign_in_sessions_valid_from=ctx.now,
            )
            unit.update_user(updated)
            modified = (("ForceChangePasswordNextSignIn", "", str(force_change)),)
            targets = (user_target(updated, modified),)
            record(unit, ctx, user.tenant_id, AuditActivity.RESET_USER_PASSWORD, targets, "Update")
        return PasswordReset(updated, generated)

    def require_password_change(self, user: User, force: bool, *, ctx: AuditContext | None = None) -> User:
        """Graph `PATCH passwordProfile` without a password: the user must (or need no longer) change the
        password at the next sign-in; the password itself stays."""
        ctx = ctx or self._system()
        with self._transaction() as unit:
            current = unit.find_user(user.tenant_id, user.id) or user
            updated = replace(current, force_change_password_next_sign_in=force)
            unit.update_user(updated)
            modified = (("ForceChangePasswordNextSignIn", str(current.force_change_password_next_sign_in), str(force)),)
            targets = (user_target(updated, modified),)
            record(unit, ctx, user.tenant_id, AuditActivity.UPDATE_USER, targets, "Update")
        return updated

    def change_password(self, user: User, current_password: str, new_password: str, *, ctx: AuditContext) -> User:
        """The user's own change (Graph `me/changePassword`, the CLI): the current password must verify
        (120000), the new one meet the policy and differ from it (§5.2: no reuse on change). A forced change
        is then done; sessions and refresh tokens from before the change stop working."""
        policy = self._policy_for(user.tenant_id)
        with self._transaction() as unit:
            stored = unit.find_user(user.tenant_id, user.id) or user
            tenant = self._tenant(unit, user.tenant_id)
        # The argon2 work (a verification and a hash) runs outside the write transaction, so it never holds
        # the database's write lock; the write then checks that the password is still the one proven.
        try:
            check_current_password(self._hashing, stored.password_hash, current_password)
            check_replacement(current_password, new_password, context_for(stored, tenant, policy))
        except AadstsError as exc:
            raise PasswordRefusedError(exc) from None
        new_hash = self._hashing.hash(new_password)
        with self._transaction() as unit:
            fresh = unit.find_user(user.tenant_id, user.id) or user
            if fresh.password_hash != stored.password_hash:  # changed meanwhile: the proof is stale
                raise PasswordRefusedError(AadstsError.of(Aadsts.PasswordChangeIncorrectCurrentPassword))
            updated = replace(
                fresh,
                password_hash=new_hash,
                password_changed_at=ctx.now,
                password_expires_at=None,
                force_change_password_next_sign_in=False,
            )
            unit.update_user(updated)
            record(unit, ctx, user.tenant_id, AuditActivity.CHANGE_USER_PASSWORD, (user_target(updated),), "Update")
        return updated

    def list_groups_of(self, user: User) -> list[Group]:
        """Graph `memberOf`: the groups the user belongs to directly."""
        with self._transaction() as unit:
            ids = unit.list_group_ids_of_member(user.tenant_id, user.id)
            found = [unit.find_group(user.tenant_id, i) for i in ids]
        return sorted((g for g in found if g is not None), key=lambda g: g.created_at)

    # --- groups (the CLI's shortcuts; Graph's group endpoints use `GroupService`) -------------------

    def create_group(self, tenant_id: str, display_name: str, description: str = "") -> Group:
        """A new security group."""
        group = Group(new_guid(), tenant_id, display_name, self._clock.now(), description)
        with self._transaction() as unit:
            self._tenant(unit, tenant_id)
            unit.add_group(group)
        return group

    def add_member(self, group: Group, user: User) -> None:
        """Add a user to a group of the same tenant."""
        if group.tenant_id != user.tenant_id:
            raise UserError("a group's members belong to the group's tenant")
        with self._transaction() as unit:
            unit.add_group_member(group.tenant_id, group.id, user.id)

    def find_group(self, tenant_id: str, reference: str) -> Group | None:
        """By id or display name within a tenant."""
        with self._transaction() as unit:
            found = unit.find_group(tenant_id, reference.lower())
            return found or next((g for g in unit.list_groups(tenant_id) if g.display_name == reference), None)

    def list_groups(self, tenant_id: str) -> list[Group]:
        """The tenant's groups."""
        with self._transaction() as unit:
            return unit.list_groups(tenant_id)


def _check_unique_on_premises(users: list[User], updated: User, attr: str) -> None:
    """No two users of a tenant share an on-premises UPN or sAMAccountName (case-insensitive)."""
    value = getattr(updated, attr)
    if not value:
        return
    for other in users:
        held = getattr(other, attr)
        if other.id != updated.id and held and held.lower() == value.lower():
            raise UserError(f"user {other.user_principal_name} already has this on-premises account")
