"""Graph v1.0 `conditionalAccessPolicy`, `ipNamedLocation` and `countryNamedLocation`: the bodies that
create or change them, and their wire form.

Bodies ignore properties they do not know, as Graph does for this API (SDKs send `@odata.type` on every
nested object, and exports carry read-only properties back). Properties Graph defines but Tenantry cannot
evaluate (risk levels, platforms, devices, session controls, terms of use, …) are refused when set, rather
than stored in a policy that would then apply more widely than its author meant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from tenantry.conditional_access.models import (
    ApplicationCondition,
    LocationCondition,
    UserCondition,
)
from tenantry.conditional_access.service import LocationDraft, PolicyDraft
from tenantry.conditional_access.validation import ConditionalAccessError
from tenantry.graph.odata import FieldSpec, FieldType
from tenantry.graph.schemas.conditional_access_views import COUNTRY_TYPE, IP_TYPE, IPV4_TYPE, IPV6_TYPE

G, S, D, B = FieldType.GUID, FieldType.STRING, FieldType.DATETIME, FieldType.BOOL


def _only_select(*names: str) -> dict[str, FieldSpec]:
    return {name: FieldSpec(S, filterable=False) for name in names}


POLICY_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G, sortable=True),
    "displayName": FieldSpec(S, sortable=True),
    "state": FieldSpec(S),
    "createdDateTime": FieldSpec(D, sortable=True),
    "modifiedDateTime": FieldSpec(D, sortable=True),
    **_only_select("conditions", "grantControls", "sessionControls", "templateId"),
}
LOCATION_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(G, sortable=True),
    "displayName": FieldSpec(S, sortable=True),
    "createdDateTime": FieldSpec(D, sortable=True),
    "modifiedDateTime": FieldSpec(D, sortable=True),
    "isTrusted": FieldSpec(B),
    **_only_select("ipRanges", "countriesAndRegions", "includeUnknownCountriesAndRegions", "countryLookupMethod"),
}


class CaInput(BaseModel):
    """A part of a conditional access body: camelCase, unknown properties ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=False, extra="ignore")


class UsersInput(CaInput):
    """`conditionalAccessUsers`."""

    include_users: list[str] = []
    exclude_users: list[str] = []
    include_groups: list[str] = []
    exclude_groups: list[str] = []
    include_roles: list[str] = []
    exclude_roles: list[str] = []
    include_guests_or_external_users: dict[str, Any] | None = None
    exclude_guests_or_external_users: dict[str, Any] | None = None


class ApplicationsInput(CaInput):
    """`conditionalAccessApplications`."""

    include_applications: list[str] = []
    exclude_applications: list[str] = []
    include_user_actions: list[str] = []
    include_authentication_context_class_references: list[str] = []
    application_filter: dict[str, Any] | None = None


class LocationsInput(CaInput):
    """`conditionalAccessLocations`."""

    include_locations: list[str] = []
    exclude_locations: list[str] = []


class ConditionsInput(CaInput):
    """`conditionalAccessConditionSet`."""

    users: UsersInput | None = None
    applications: ApplicationsInput | None = None
    client_app_types: list[str] | None = None
    locations: LocationsInput | None = None
    user_risk_levels: list[str] = []
    sign_in_risk_levels: list[str] = []
    service_principal_risk_levels: list[str] = []
    insider_risk_levels: str | None = None
    platforms: dict[str, Any] | None = None
    devices: dict[str, Any] | None = None
    client_applications: dict[str, Any] | None = None
    authentication_flows: dict[str, Any] | None = None


class GrantControlsInput(CaInput):
    """`conditionalAccessGrantControls`."""

    operator: str | None = None
    built_in_controls: list[str] = []
    custom_authentication_factors: list[str] = []
    terms_of_use: list[str] = []
    authentication_strength: dict[str, Any] | None = None


class PolicyInput(CaInput):
    """The body of `POST …/policies` and `PATCH …/policies/{id}` (a PATCH sets only what it names)."""

    display_name: str | None = None
    state: str | None = None
    conditions: ConditionsInput | None = None
    grant_controls: GrantControlsInput | None = None
    session_controls: dict[str, Any] | None = None


class IpRangeInput(CaInput):
    """`iPv4CidrRange` / `iPv6CidrRange`."""

    odata_type: str | None = Field(None, alias="@odata.type")
    cidr_address: str


class NamedLocationInput(CaInput):
    """The body of `POST …/namedLocations` and `PATCH …/namedLocations/{id}`."""

    odata_type: str | None = Field(None, alias="@odata.type")
    display_name: str | None = None
    ip_ranges: list[IpRangeInput] | None = None
    is_trusted: bool | None = None
    countries_and_regions: list[str] | None = None
    include_unknown_countries_and_regions: bool | None = None
    country_lookup_method: str | None = None


# --- bodies → drafts --------------------------------------------------------------------------------


def _unevaluated(what: str) -> ConditionalAccessError:
    return ConditionalAccessError(f"Tenantry cannot evaluate {what}; leave it out of the policy.")


def _check_conditions_supported(conditions: ConditionsInput) -> None:
    risks = conditions.user_risk_levels or conditions.sign_in_risk_levels or conditions.service_principal_risk_levels
    if risks or conditions.insider_risk_levels:
        raise _unevaluated("risk levels (there is no risk detection)")
    others = (conditions.platforms, conditions.devices, conditions.client_applications, conditions.authentication_flows)
    if any(value is not None for value in others):
        raise _unevaluated("platforms, devices, client applications or authentication flows")
    users, apps = conditions.users, conditions.applications
    if users and (users.include_guests_or_external_users or users.exclude_guests_or_external_users):
        raise _unevaluated("guest or external user types (use GuestsOrExternalUsers in includeUsers)")
    if apps and (
        apps.include_user_actions or apps.include_authentication_context_class_references or apps.application_filter
    ):
        raise _unevaluated("user actions, authentication contexts or application filters")


def check_supported(body: PolicyInput) -> None:
    """Refuse the properties Graph defines and Tenantry cannot evaluate, when they are set."""
    if body.session_controls is not None:
        raise _unevaluated("session controls")
    controls = body.grant_controls
    if controls and (
        controls.custom_authentication_factors or controls.terms_of_use or controls.authentication_strength
    ):
        raise _unevaluated("custom authentication factors, terms of use or authentication strengths")
    if body.conditions is not None:
        _check_conditions_supported(body.conditions)


def _users(users: UsersInput) -> UserCondition:
    return UserCondition(
        tuple(users.include_users),
        tuple(users.exclude_users),
        tuple(users.include_groups),
        tuple(users.exclude_groups),
        tuple(users.include_roles),
        tuple(users.exclude_roles),
    )


def _merge_conditions(draft: PolicyDraft, conditions: ConditionsInput) -> PolicyDraft:
    given = conditions.model_fields_set
    if conditions.users is not None:
        draft = replace(draft, users=_users(conditions.users))
    if conditions.applications is not None:
        apps = conditions.applications
        draft = replace(
            draft, applications=ApplicationCondition(tuple(apps.include_applications), tuple(apps.exclude_applications))
        )
    if conditions.client_app_types is not None:
        draft = replace(draft, client_app_types=tuple(conditions.client_app_types))
    if "locations" in given:
        where = conditions.locations
        locations = (
            None if where is None else LocationCondition(tuple(where.include_locations), tuple(where.exclude_locations))
        )
        draft = replace(draft, locations=locations)
    return draft


def policy_change(body: PolicyInput) -> Callable[[PolicyDraft], PolicyDraft]:
    """What a body does to a draft: each property it names replaces the draft's (Graph's PATCH; a POST
    applies it to `EMPTY_POLICY`)."""
    check_supported(body)

    def apply(draft: PolicyDraft) -> PolicyDraft:
        given = body.model_fields_set
        if "display_name" in given:
            draft = replace(draft, display_name=body.display_name)
        if "state" in given:
            draft = replace(draft, state=body.state)
        if body.conditions is not None:
            draft = _merge_conditions(draft, body.conditions)
        if body.grant_controls is not None:
            controls = body.grant_controls
            draft = replace(draft, operator=controls.operator, built_in_controls=tuple(controls.built_in_controls))
        return draft

    return apply


EMPTY_POLICY = PolicyDraft(None, None, UserCondition(), ApplicationCondition())


def _kind(odata_type: str | None) -> str:
    return (odata_type or "").removeprefix("#").removeprefix("microsoft.graph.")


def _ranges(ranges: list[IpRangeInput]) -> tuple[str, ...]:
    for item in ranges:
        family = IPV6_TYPE if ":" in item.cidr_address else IPV4_TYPE
        if item.odata_type and _kind(item.odata_type).lower() != _kind(family).lower():
            raise ConditionalAccessError(f"ipRanges: '{item.cidr_address[:64]}' is not an {_kind(item.odata_type)}.")
    return tuple(item.cidr_address for item in ranges)


def location_change(body: NamedLocationInput) -> Callable[[LocationDraft], LocationDraft]:
    """What a body does to a named location draft (each property it names replaces the draft's)."""

    def apply(draft: LocationDraft) -> LocationDraft:
        if body.odata_type:
            draft = replace(draft, kind=_kind(body.odata_type))
        if "display_name" in body.model_fields_set:
            draft = replace(draft, display_name=body.display_name)
        if body.ip_ranges is not None:
            draft = replace(draft, ip_ranges=_ranges(body.ip_ranges))
        if body.is_trusted is not None:
            draft = replace(draft, is_trusted=body.is_trusted)
        if body.countries_and_regions is not None:
            draft = replace(draft, countries=tuple(body.countries_and_regions))
        if body.include_unknown_countries_and_regions is not None:
            draft = replace(draft, include_unknown_countries=body.include_unknown_countries_and_regions)
        return draft

    return apply


def new_location_draft(body: NamedLocationInput) -> LocationDraft:
    """A POST body as a draft; `@odata.type` says the kind and is required, as in Graph."""
    if not body.odata_type:
        raise ConditionalAccessError(f"@odata.type is required: {IP_TYPE} or {COUNTRY_TYPE}.")
    return location_change(body)(LocationDraft(None, _kind(body.odata_type)))
