"""Conditional access administration: create, change and delete a tenant's policies and named locations,
each checked (`validation.py`) and audited in the same write transaction (category Policy, Entra's
activity names), and the two reads a sign-in needs (`sign_in_inputs`).

Updates take a function from the stored draft to the new one (Graph's PATCH merges the body into the
stored policy): the read, the merge, the checks and the write share one transaction, so two concurrent
PATCHes cannot lose each other's change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any, Protocol

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Target
from tenantry.audit.recorder import SYSTEM, AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.common.compact_json import compact_json
from tenantry.common.ids import new_guid
from tenantry.conditional_access.documents import conditions_document, grant_controls_document
from tenantry.conditional_access.models import (
    ConditionalAccessPolicy,
    Conditions,
    GrantControls,
    LocationKind,
    NamedLocation,
    PolicyState,
)
from tenantry.conditional_access.repository import ConditionalAccessReader, ConditionalAccessRepository
from tenantry.conditional_access.validation import (
    ConditionalAccessError,
    LocationDraft,
    LocationInUseError,
    PolicyDraft,
    ReferenceReader,
    check_applications,
    check_client_app_types,
    check_display_name,
    check_grant_controls,
    check_location,
    check_locations,
    check_state,
    check_users,
)

__all__ = [
    "ConditionalAccessError",
    "ConditionalAccessService",
    "ConditionalAccessUnit",
    "LocationDraft",
    "LocationInUseError",
    "PolicyDraft",
    "sign_in_inputs",
]

PolicyChange = Callable[[PolicyDraft], PolicyDraft]
LocationChange = Callable[[LocationDraft], LocationDraft]


class ConditionalAccessUnit(ConditionalAccessRepository, ReferenceReader, AuditRepository, Protocol):
    """The repositories one change needs."""


def sign_in_inputs(
    reader: ConditionalAccessReader, tenant_id: str
) -> tuple[list[ConditionalAccessPolicy], dict[str, NamedLocation]]:
    """What `evaluation.evaluate` takes: the tenant's policies and its named locations by id (inside the
    caller's read unit; `Store.reader()` serves both from its cache)."""
    locations = {location.id: location for location in reader.list_named_locations(tenant_id)}
    return reader.list_ca_policies(tenant_id), locations


def draft_of(policy: ConditionalAccessPolicy) -> PolicyDraft:
    """A stored policy as a draft, for a PATCH to merge into."""
    conditions = policy.conditions
    return PolicyDraft(
        display_name=policy.display_name,
        state=str(policy.state),
        users=conditions.users,
        applications=conditions.applications,
        client_app_types=tuple(str(t) for t in conditions.client_app_types),
        locations=conditions.locations,
        operator=policy.grant_controls.operator,
        built_in_controls=tuple(str(c) for c in policy.grant_controls.built_in_controls),
    )


def location_draft_of(location: NamedLocation) -> LocationDraft:
    """A stored named location as a draft, for a PATCH to merge into."""
    return LocationDraft(
        display_name=location.display_name,
        kind=str(location.kind),
        ip_ranges=location.ip_ranges,
        is_trusted=location.is_trusted,
        countries=location.countries,
        include_unknown_countries=location.include_unknown_countries,
    )


def _policy_json(policy: ConditionalAccessPolicy | None) -> str:
    if policy is None:
        return ""
    document: dict[str, Any] = {
        "displayName": policy.display_name,
        "state": str(policy.state),
        "conditions": conditions_document(policy.conditions),
        "grantControls": grant_controls_document(policy.grant_controls),
    }
    return compact_json(document).decode()


def _location_json(location: NamedLocation | None) -> str:
    if location is None:
        return ""
    document: Mapping[str, Any] = {
        "displayName": location.display_name,
        "@odata.type": f"#microsoft.graph.{location.kind}",
        "ipRanges": list(location.ip_ranges),
        "isTrusted": location.is_trusted,
        "countriesAndRegions": list(location.countries),
        "includeUnknownCountriesAndRegions": location.include_unknown_countries,
    }
    return compact_json(document).decode()


def _policy_target(old: ConditionalAccessPolicy | None, new: ConditionalAccessPolicy | None) -> Target:
    shown = new or old
    assert shown is not None
    change = ("ConditionalAccessPolicy", _policy_json(old), _policy_json(new))
    return Target("Policy", shown.id, shown.display_name, (change,))


def _location_target(old: NamedLocation | None, new: NamedLocation | None) -> Target:
    shown = new or old
    assert shown is not None
    change = ("NamedLocation", _location_json(old), _location_json(new))
    return Target("Policy", shown.id, shown.display_name, (change,))


class ConditionalAccessService:
    """Reads and changes the conditional access policies and named locations of tenants. `transaction`
    opens a read transaction, or a write one with `write=True` (reads never take SQLite's write lock)."""

    def __init__(self, transaction: Callable[..., AbstractContextManager[ConditionalAccessUnit]], clock: Clock) -> None:
        self._transaction = transaction
        self._clock = clock

    def _ctx(self, audit: AuditContext | None) -> AuditContext:
        return audit or AuditContext(SYSTEM, self._clock.now())

    # --- policies ----------------------------------------------------------------------------------

    def list_policies(self, tenant_id: str) -> list[ConditionalAccessPolicy]:
        """Every policy of the tenant, oldest first."""
        with self._transaction() as unit:
            return unit.list_ca_policies(tenant_id)

    def find_policy(self, tenant_id: str, policy_id: str) -> ConditionalAccessPolicy | None:
        """One policy of the tenant, or None."""
        with self._transaction() as unit:
            return unit.find_ca_policy(tenant_id, policy_id.lower())

    def _build(
        self, unit: ConditionalAccessUnit, tenant_id: str, draft: PolicyDraft, base: ConditionalAccessPolicy
    ) -> ConditionalAccessPolicy:
        known = _references(base)
        conditions = Conditions(
            users=check_users(unit, tenant_id, draft.users, known),
            applications=check_applications(draft.applications),
            client_app_types=check_client_app_types(draft.client_app_types),
            locations=check_locations(unit, tenant_id, draft.locations, known),
        )
        return replace(
            base,
            display_name=check_display_name(draft.display_name),
            state=check_state(draft.state),
            conditions=conditions,
            grant_controls=check_grant_controls(draft.operator, draft.built_in_controls),
        )

    def create_policy(
        self, tenant_id: str, draft: PolicyDraft, *, audit: AuditContext | None = None
    ) -> ConditionalAccessPolicy:
        """Check and store a new policy; audited "Add conditional access policy"."""
        ctx = self._ctx(audit)
        with self._transaction(write=True) as unit:
            empty = ConditionalAccessPolicy(
                new_guid(), tenant_id, "", PolicyState.DISABLED, Conditions(), GrantControls(), ctx.now
            )
            policy = self._build(unit, tenant_id, draft, empty)
            unit.add_ca_policy(policy)
            record(unit, ctx, tenant_id, AuditActivity.ADD_CA_POLICY, (_policy_target(None, policy),), "Add")
        return policy

    def update_policy(
        self, tenant_id: str, policy_id: str, change: PolicyChange, *, audit: AuditContext | None = None
    ) -> ConditionalAccessPolicy | None:
        """Merge `change` into the stored policy, check and store it; None when there is no such policy.
        Audited "Update conditional access policy" with the old and new documents."""
        ctx = self._ctx(audit)
        with self._transaction(write=True) as unit:
            old = unit.find_ca_policy(tenant_id, policy_id.lower())
            if old is None:
                return None
            new = replace(self._build(unit, tenant_id, change(draft_of(old)), old), modified_at=ctx.now)
            unit.update_ca_policy(new)
            record(unit, ctx, tenant_id, AuditActivity.UPDATE_CA_POLICY, (_policy_target(old, new),), "Update")
        return new

    def delete_policy(self, tenant_id: str, policy_id: str, *, audit: AuditContext | None = None) -> bool:
        """Remove a policy; audited "Delete conditional access policy". False when there was none."""
        ctx = self._ctx(audit)
        with self._transaction(write=True) as unit:
            old = unit.find_ca_policy(tenant_id, policy_id.lower())
            if old is None or not unit.delete_ca_policy(tenant_id, old.id):
                return False
            record(unit, ctx, tenant_id, AuditActivity.DELETE_CA_POLICY, (_policy_target(old, None),), "Delete")
        return True

    # --- named locations ---------------------------------------------------------------------------

    def list_locations(self, tenant_id: str) -> list[NamedLocation]:
        """Every named location of the tenant, oldest first."""
        with self._transaction() as unit:
            return unit.list_named_locations(tenant_id)

    def find_location(self, tenant_id: str, location_id: str) -> NamedLocation | None:
        """One named location of the tenant, or None."""
        with self._transaction() as unit:
            return unit.find_named_location(tenant_id, location_id.lower())

    @staticmethod
    def _location(draft: LocationDraft, base: NamedLocation) -> NamedLocation:
        name, kind, ranges, countries = check_location(draft)
        if kind is not base.kind:
            raise ConditionalAccessError("The @odata.type of a named location cannot change.")
        ip = kind is LocationKind.IP
        return replace(
            base,
            display_name=name,
            ip_ranges=ranges,
            is_trusted=draft.is_trusted and ip,
            countries=countries,
            include_unknown_countries=draft.include_unknown_countries and not ip,
        )

    def create_location(
        self, tenant_id: str, draft: LocationDraft, *, audit: AuditContext | None = None
    ) -> NamedLocation:
        """Check and store a new named location; audited "Add named location"."""
        ctx = self._ctx(audit)
        _, kind, _, _ = check_location(draft)
        location = self._location(draft, NamedLocation(new_guid(), tenant_id, "", kind, ctx.now))
        with self._transaction(write=True) as unit:
            unit.add_named_location(location)
            record(unit, ctx, tenant_id, AuditActivity.ADD_NAMED_LOCATION, (_location_target(None, location),), "Add")
        return location

    def update_location(
        self, tenant_id: str, location_id: str, change: LocationChange, *, audit: AuditContext | None = None
    ) -> NamedLocation | None:
        """Merge `change` into the stored location (its kind cannot change); None when there is none."""
        ctx = self._ctx(audit)
        with self._transaction(write=True) as unit:
            old = unit.find_named_location(tenant_id, location_id.lower())
            if old is None:
                return None
            new = replace(self._location(change(location_draft_of(old)), old), modified_at=ctx.now)
            unit.update_named_location(new)
            targets = (_location_target(old, new),)
            record(unit, ctx, tenant_id, AuditActivity.UPDATE_NAMED_LOCATION, targets, "Update")
        return new

    def delete_location(self, tenant_id: str, location_id: str, *, audit: AuditContext | None = None) -> bool:
        """Remove a named location no policy uses (else `LocationInUseError` naming them, as Entra refuses);
        audited "Delete named location". False when there was none."""
        ctx = self._ctx(audit)
        with self._transaction(write=True) as unit:
            old = unit.find_named_location(tenant_id, location_id.lower())
            if old is None:
                return False
            users = [p.display_name for p in unit.list_ca_policies(tenant_id) if old.id in _location_refs(p)]
            if users:
                raise LocationInUseError(
                    f"The named location '{old.display_name}' is used by conditional access policies "
                    f"({', '.join(users)}): remove it from them first."
                )
            unit.delete_named_location(tenant_id, old.id)
            targets = (_location_target(old, None),)
            record(unit, ctx, tenant_id, AuditActivity.DELETE_NAMED_LOCATION, targets, "Delete")
        return True


def _references(policy: ConditionalAccessPolicy) -> frozenset[str]:
    """Every user, group and location id the stored policy names (they were checked when added)."""
    users = policy.conditions.users
    named = (*users.include_users, *users.exclude_users, *users.include_groups, *users.exclude_groups)
    return frozenset(named) | _location_refs(policy)


def _location_refs(policy: ConditionalAccessPolicy) -> frozenset[str]:
    where = policy.conditions.locations
    if where is None:
        return frozenset()
    return frozenset(where.include_locations) | frozenset(where.exclude_locations)
