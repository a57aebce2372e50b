"""`list_principal_roles`: a principal's roles are its own and those of the role-assignable groups it is a
direct member of; a group that is not role-assignable passes nothing on, nor does membership of a member."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tenantry.directory.authorization import is_in_role_assignable_group, list_principal_roles
from tenantry.directory.models import Group
from tenantry.directory.roles import RoleAssignment, find_role

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TENANT = "tenant"


def role_id(name: str) -> str:
    """A built-in role's template id."""
    role = find_role(name)
    assert role is not None
    return role.id


@dataclass
class Directory:
    """Groups, memberships and assignments in memory (the `PrincipalRolesReader` reads)."""

    groups: dict[str, Group] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)  # member id → group ids
    assignments: list[RoleAssignment] = field(default_factory=list)

    def group(self, group_id: str, *members: str, role_assignable: bool) -> None:
        self.groups[group_id] = Group(group_id, TENANT, group_id, NOW, is_assignable_to_role=role_assignable)
        for member in members:
            self.members.setdefault(member, []).append(group_id)

    def assign(self, principal_id: str, role: str) -> None:
        self.assignments.append(RoleAssignment(f"a{len(self.assignments)}", TENANT, principal_id, role_id(role), NOW))

    def list_role_assignments(self, tenant_id: str, principal_id: str | None = None) -> list[RoleAssignment]:
        return [a for a in self.assignments if principal_id in (None, a.principal_id)]

    def list_group_ids_of_member(self, tenant_id: str, member_id: str) -> list[str]:
        return self.members.get(member_id, [])

    def find_group(self, tenant_id: str, group_id: str) -> Group | None:
        return self.groups.get(group_id)


def names(directory: Directory, principal_id: str) -> list[str]:
    """The display names of a principal's roles, in catalogue order."""
    return [r.display_name for r in list_principal_roles(directory, TENANT, principal_id)]


def test_own_roles_and_those_of_role_assignable_groups_in_catalogue_order() -> None:
    """Direct and group roles together, each once, in catalogue order."""
    directory = Directory()
    directory.group("helpdesk", "alice", role_assignable=True)
    directory.assign("helpdesk", "Helpdesk Administrator")
    directory.assign("helpdesk", "Global Reader")
    directory.assign("alice", "Global Reader")
    directory.assign("alice", "Application Administrator")
    assert names(directory, "alice") == ["Application Administrator", "Global Reader", "Helpdesk Administrator"]
    assert is_in_role_assignable_group(directory, TENANT, "alice")


def test_plain_groups_and_nesting_pass_nothing_on() -> None:
    """A role on a group that is not role-assignable (data from before the rule) reaches no member; a group
    inside a role-assignable group does not pass the outer group's roles to its own members."""
    directory = Directory()
    directory.group("legacy", "bob", role_assignable=False)
    directory.assign("legacy", "Global Administrator")
    directory.group("outer", "inner", role_assignable=True)
    directory.group("inner", "bob", role_assignable=True)
    directory.assign("outer", "User Administrator")
    assert names(directory, "bob") == []
    assert names(directory, "inner") == ["User Administrator"]
    assert is_in_role_assignable_group(directory, TENANT, "bob")
    assert not is_in_role_assignable_group(directory, TENANT, "carol")
