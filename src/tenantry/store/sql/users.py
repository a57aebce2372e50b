"""Users, groups and memberships in SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tenantry.common.clock import as_utc
from tenantry.directory.models import Group, User
from tenantry.directory.repository import UpnTakenError
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import (
    app_role_assignments,
    application_owners,
    group_members,
    groups,
    permission_grants,
    role_assignments,
    users,
)


def _opt(value: Any) -> Any:
    return as_utc(value) if value is not None else None


def _user(row: Row[Any]) -> User:
    return User(
        id=row.id,
        tenant_id=row.tenant_id,
        user_principal_name=row.user_principal_name,
        display_name=row.display_name,
        created_at=as_utc(row.created_at),
        mail=row.mail,
        account_enabled=row.account_enabled,
        password_hash=row.password_hash,
        password_changed_at=_opt(row.password_changed_at),
        password_expires_at=_opt(row.password_expires_at),
        force_change_password_next_sign_in=row.force_change_password_next_sign_in,
        sign_in_sessions_valid_from=_opt(row.sign_in_sessions_valid_from),
        given_name=row.given_name,
        surname=row.surname,
        mail_nickname=row.mail_nickname,
        password_policies=row.password_policies,
        on_premises_user_principal_name=row.on_premises_user_principal_name,
        on_premises_sam_account_name=row.on_premises_sam_account_name,
        on_premises_security_identifier=row.on_premises_security_identifier,
    )


user_from_row = _user  # for the other tables' repositories that find users (seamless SSO)


def _group(row: Row[Any]) -> Group:
    return Group(
        id=row.id,
        tenant_id=row.tenant_id,
        display_name=row.display_name,
        created_at=as_utc(row.created_at),
        description=row.description,
        mail_nickname=row.mail_nickname,
        security_enabled=row.security_enabled,
        mail_enabled=row.mail_enabled,
        is_assignable_to_role=row.is_assignable_to_role,
    )


def _user_columns(user: User) -> dict[str, Any]:
    return {
        "user_principal_name": user.user_principal_name.lower(),
        "display_name": user.display_name,
        "mail": user.mail,
        "account_enabled": user.account_enabled,
        "password_hash": user.password_hash,
        "password_changed_at": user.password_changed_at,
        "password_expires_at": user.password_expires_at,
        "force_change_password_next_sign_in": user.force_change_password_next_sign_in,
        "sign_in_sessions_valid_from": user.sign_in_sessions_valid_from,
        "given_name": user.given_name,
        "surname": user.surname,
        "mail_nickname": user.mail_nickname,
        "password_policies": user.password_policies,
        "on_premises_user_principal_name": user.on_premises_user_principal_name,
        "on_premises_sam_account_name": user.on_premises_sam_account_name,
        "on_premises_security_identifier": user.on_premises_security_identifier,
    }


class SqlUsers(SqlBase):
    """Implements `UserRepository` and `GroupRepository`."""

    def add_user(self, user: User) -> None:
        """Insert (UPNs are stored lower-case and unique); a taken UPN raises `UpnTakenError`."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(users).values(
                        id=user.id, tenant_id=user.tenant_id, created_at=user.created_at, **_user_columns(user)
                    )
                )
        except IntegrityError as exc:
            raise UpnTakenError(f"a user '{user.user_principal_name}' already exists") from exc

    def update_user(self, user: User) -> None:
        """Replace the mutable columns."""
        self._conn.execute(
            update(users)
            .where(users.c.id == user.id, users.c.tenant_id == user.tenant_id)
            .values(**_user_columns(user))
        )

    def find_user(self, tenant_id: str, user_id: str) -> User | None:
        """By id within a tenant."""
        row = self._conn.execute(select(users).where(users.c.tenant_id == tenant_id, users.c.id == user_id)).first()
        return _user(row) if row else None

    def find_user_by_upn(self, upn: str) -> User | None:
        """By UPN, case-insensitively."""
        row = self._conn.execute(select(users).where(users.c.user_principal_name == upn.lower())).first()
        return _user(row) if row else None

    def list_users(self, tenant_id: str) -> list[User]:
        """The tenant's users."""
        rows = self._conn.execute(select(users).where(users.c.tenant_id == tenant_id).order_by(users.c.created_at))
        return [_user(r) for r in rows]

    def delete_user(self, tenant_id: str, user_id: str) -> bool:
        """Delete the user with what points at it: memberships, role and app role assignments, ownerships and
        consents (its sessions, codes and refresh tokens go by cascade)."""
        self._forget_principal(tenant_id, user_id)
        result = self._conn.execute(delete(users).where(users.c.tenant_id == tenant_id, users.c.id == user_id))
        return bool(result.rowcount)

    def _forget_principal(self, tenant_id: str, principal_id: str) -> None:
        self._conn.execute(
            delete(group_members).where(
                group_members.c.tenant_id == tenant_id, group_members.c.member_id == principal_id
            )
        )
        self._conn.execute(
            delete(role_assignments).where(
                role_assignments.c.tenant_id == tenant_id, role_assignments.c.principal_id == principal_id
            )
        )
        self._conn.execute(
            delete(app_role_assignments).where(
                app_role_assignments.c.tenant_id == tenant_id, app_role_assignments.c.principal_id == principal_id
            )
        )
        self._conn.execute(
            delete(application_owners).where(
                application_owners.c.tenant_id == tenant_id, application_owners.c.owner_id == principal_id
            )
        )
        self._conn.execute(
            delete(permission_grants).where(
                permission_grants.c.tenant_id == tenant_id, permission_grants.c.principal_id == principal_id
            )
        )

    def add_group(self, group: Group) -> None:
        """Insert a group."""
        self._conn.execute(
            insert(groups).values(
                id=group.id,
                tenant_id=group.tenant_id,
                display_name=group.display_name,
                description=group.description,
                created_at=group.created_at,
                mail_nickname=group.mail_nickname,
                security_enabled=group.security_enabled,
                mail_enabled=group.mail_enabled,
                is_assignable_to_role=group.is_assignable_to_role,
            )
        )

    def update_group(self, group: Group) -> None:
        """Replace the mutable columns (`isAssignableToRole` is fixed at creation)."""
        self._conn.execute(
            update(groups)
            .where(groups.c.id == group.id, groups.c.tenant_id == group.tenant_id)
            .values(
                display_name=group.display_name,
                description=group.description,
                mail_nickname=group.mail_nickname,
                security_enabled=group.security_enabled,
                mail_enabled=group.mail_enabled,
            )
        )

    def delete_group(self, tenant_id: str, group_id: str) -> bool:
        """Delete the group, its memberships (both ways) and the roles and app roles it holds."""
        self._forget_principal(tenant_id, group_id)
        self._conn.execute(
            delete(group_members).where(group_members.c.tenant_id == tenant_id, group_members.c.group_id == group_id)
        )
        result = self._conn.execute(delete(groups).where(groups.c.tenant_id == tenant_id, groups.c.id == group_id))
        return bool(result.rowcount)

    def find_group(self, tenant_id: str, group_id: str) -> Group | None:
        """By id within a tenant."""
        row = self._conn.execute(select(groups).where(groups.c.tenant_id == tenant_id, groups.c.id == group_id)).first()
        return _group(row) if row else None

    def list_groups(self, tenant_id: str) -> list[Group]:
        """The tenant's groups."""
        rows = self._conn.execute(select(groups).where(groups.c.tenant_id == tenant_id).order_by(groups.c.created_at))
        return [_group(r) for r in rows]

    def add_group_member(self, tenant_id: str, group_id: str, member_id: str) -> None:
        """Insert a membership, ignoring a duplicate."""
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(group_members).values(tenant_id=tenant_id, group_id=group_id, member_id=member_id)
                )
        except IntegrityError:
            return

    def list_group_ids_of_member(self, tenant_id: str, member_id: str) -> list[str]:
        """Direct memberships."""
        rows = self._conn.execute(
            select(group_members.c.group_id).where(
                group_members.c.tenant_id == tenant_id, group_members.c.member_id == member_id
            )
        )
        return [r.group_id for r in rows]

    def remove_group_member(self, tenant_id: str, group_id: str, member_id: str) -> bool:
        """Delete a direct membership; False when there was none."""
        result = self._conn.execute(
            delete(group_members).where(
                group_members.c.tenant_id == tenant_id,
                group_members.c.group_id == group_id,
                group_members.c.member_id == member_id,
            )
        )
        return bool(result.rowcount)

    def list_group_member_ids(self, tenant_id: str, group_id: str) -> list[str]:
        """The group's direct members."""
        rows = self._conn.execute(
            select(group_members.c.member_id).where(
                group_members.c.tenant_id == tenant_id, group_members.c.group_id == group_id
            )
        )
        return [r.member_id for r in rows]
