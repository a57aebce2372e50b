"""User and group operations (CLI now, Graph later); passwords are hashed before they reach storage."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol

from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.directory.models import Group, User
from tenantry.directory.repository import GroupRepository, TenantRepository, UpnTakenError, UserRepository
from tenantry.passwords.hashing import PasswordHashing
from tenantry.passwords.policy import check_password_policy

# Entra's UPN rules (entra-reference §5.1): allowed characters, one @, no dot before it, length limits.
_UPN_LOCAL = re.compile(r"^[A-Za-z0-9'._!#^~-]{1,64}$")


class UsersUnit(TenantRepository, UserRepository, GroupRepository, Protocol):
    """The repositories one user/group transaction needs."""


class UserError(ValueError):
    """A request the directory refuses, with a message fit for the CLI and Graph."""


def check_upn(upn: str, domains: tuple[str, ...]) -> str:
    """Validate a userPrincipalName against Entra's rules and the tenant's verified domains."""
    local, sep, domain = upn.strip().rpartition("@")
    if not sep or not _UPN_LOCAL.fullmatch(local) or local.endswith(".") or len(upn) > 113 or len(domain) > 48:
        raise UserError(f"'{upn}' is not a valid userPrincipalName")
    if domain.lower() not in domains:
        raise UserError(f"the domain of '{upn}' is not a verified domain of the tenant")
    return f"{local}@{domain.lower()}"


class UserService:
    """Creates users and groups; each call is one transaction."""

    def __init__(
        self, transaction: Callable[[], AbstractContextManager[UsersUnit]], hashing: PasswordHashing, clock: Clock
    ) -> None:
        self._transaction = transaction
        self._hashing = hashing
        self._clock = clock

    def create_user(
        self, tenant_id: str, upn: str, password: str, display_name: str = "", mail: str | None = None
    ) -> User:
        """A new enabled cloud user whose password meets the policy."""
        check_password_policy(password)
        now = self._clock.now()
        with self._transaction() as unit:
            tenant = unit.find_tenant(tenant_id)
            if tenant is None:
                raise UserError(f"tenant '{tenant_id}' does not exist")
            normalised = check_upn(upn, tenant.domains)
            if unit.find_user_by_upn(normalised) is not None:
                raise UserError(f"a user '{normalised}' already exists")
            user = User(
                id=new_guid(),
                tenant_id=tenant.id,
                user_principal_name=normalised,
                display_name=display_name or normalised.split("@")[0],
                created_at=now,
                mail=mail,
                password_hash=self._hashing.hash(password),
                password_changed_at=now,
            )
            try:
                unit.add_user(user)
            except UpnTakenError as exc:
                raise UserError(str(exc)) from exc
        return user

    def find_user(self, upn: str) -> User | None:
        """By UPN."""
        with self._transaction() as unit:
            return unit.find_user_by_upn(upn)

    def list_users(self, tenant_id: str) -> list[User]:
        """The tenant's users."""
        with self._transaction() as unit:
            return unit.list_users(tenant_id)

    def set_enabled(self, user: User, enabled: bool) -> User:
        """Enable or block sign-in (Graph `accountEnabled`)."""
        updated = replace(user, account_enabled=enabled)
        with self._transaction() as unit:
            unit.update_user(updated)
        return updated

    def create_group(self, tenant_id: str, display_name: str, description: str = "") -> Group:
        """A new security group."""
        group = Group(new_guid(), tenant_id, display_name, self._clock.now(), description)
        with self._transaction() as unit:
            if unit.find_tenant(tenant_id) is None:
                raise UserError(f"tenant '{tenant_id}' does not exist")
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
