"""A policy's `conditions` and `grantControls` as Graph-shaped JSON documents and back.

One spelling serves the database (`ca_policies.conditions`, `.grant_controls`), the audit record's
modified properties and the Graph answer, so the three never drift apart. Reading is lenient (a missing
list is empty) because documents written by an older release must still load.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenantry.conditional_access.models import (
    ApplicationCondition,
    ClientAppType,
    Conditions,
    GrantControl,
    GrantControls,
    LocationCondition,
    UserCondition,
)

_USER_FIELDS = {
    "includeUsers": "include_users",
    "excludeUsers": "exclude_users",
    "includeGroups": "include_groups",
    "excludeGroups": "exclude_groups",
    "includeRoles": "include_roles",
    "excludeRoles": "exclude_roles",
}


def _strings(document: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(value) for value in document.get(key) or ())


def users_document(users: UserCondition) -> dict[str, list[str]]:
    """`conditionalAccessUsers`."""
    return {wire: list(getattr(users, name)) for wire, name in _USER_FIELDS.items()}


def applications_document(apps: ApplicationCondition) -> dict[str, list[str]]:
    """`conditionalAccessApplications` (the parts Tenantry evaluates)."""
    return {
        "includeApplications": list(apps.include_applications),
        "excludeApplications": list(apps.exclude_applications),
    }


def locations_document(where: LocationCondition | None) -> dict[str, list[str]] | None:
    """`conditionalAccessLocations`, or None when the policy does not look at the location."""
    if where is None:
        return None
    return {"includeLocations": list(where.include_locations), "excludeLocations": list(where.exclude_locations)}


def conditions_document(conditions: Conditions) -> dict[str, Any]:
    """`conditionalAccessConditionSet` reduced to users, applications, client app types and locations."""
    return {
        "users": users_document(conditions.users),
        "applications": applications_document(conditions.applications),
        "clientAppTypes": [str(t) for t in conditions.client_app_types],
        "locations": locations_document(conditions.locations),
    }


def grant_controls_document(controls: GrantControls) -> dict[str, Any]:
    """`conditionalAccessGrantControls` (operator and built-in controls)."""
    return {"operator": controls.operator, "builtInControls": [str(c) for c in controls.built_in_controls]}


def conditions_from_document(document: Mapping[str, Any]) -> Conditions:
    """The inverse of `conditions_document`."""
    users = document.get("users") or {}
    apps = document.get("applications") or {}
    where = document.get("locations")
    return Conditions(
        users=UserCondition(**{name: _strings(users, wire) for wire, name in _USER_FIELDS.items()}),
        applications=ApplicationCondition(_strings(apps, "includeApplications"), _strings(apps, "excludeApplications")),
        client_app_types=tuple(ClientAppType(t) for t in _strings(document, "clientAppTypes")) or (ClientAppType.ALL,),
        locations=None
        if where is None
        else LocationCondition(_strings(where, "includeLocations"), _strings(where, "excludeLocations")),
    )


def grant_controls_from_document(document: Mapping[str, Any]) -> GrantControls:
    """The inverse of `grant_controls_document`."""
    controls = tuple(GrantControl(c) for c in _strings(document, "builtInControls"))
    return GrantControls(str(document.get("operator") or "OR"), controls)
