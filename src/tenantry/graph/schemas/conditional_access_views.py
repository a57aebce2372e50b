"""Graph v1.0 `conditionalAccessPolicy` and `namedLocation` (`ipNamedLocation`, `countryNamedLocation`) on
the wire: every property Graph sends, those Tenantry does not evaluate at their empty values."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tenantry.conditional_access.documents import applications_document, locations_document, users_document
from tenantry.conditional_access.models import ConditionalAccessPolicy, LocationKind, NamedLocation
from tenantry.graph.schemas.common import GraphDateTime, GraphModel

IP_TYPE = "#microsoft.graph.ipNamedLocation"
COUNTRY_TYPE = "#microsoft.graph.countryNamedLocation"
IPV4_TYPE, IPV6_TYPE = "#microsoft.graph.iPv4CidrRange", "#microsoft.graph.iPv6CidrRange"


class ConditionalAccessPolicyResource(GraphModel):
    """Graph `conditionalAccessPolicy`."""

    id: str | None = None
    display_name: str | None = None
    created_date_time: GraphDateTime | None = None
    modified_date_time: GraphDateTime | None = None
    state: str | None = None
    template_id: str | None = None
    conditions: dict[str, Any] | None = None
    grant_controls: dict[str, Any] | None = None
    session_controls: dict[str, Any] | None = None


class IpRangeResource(GraphModel):
    """`iPv4CidrRange` / `iPv6CidrRange`."""

    odata_type: str = Field(alias="@odata.type")
    cidr_address: str


class NamedLocationResource(GraphModel):
    """Graph `namedLocation`: an `ipNamedLocation` or a `countryNamedLocation` (`@odata.type` says which)."""

    odata_type: str | None = Field(None, alias="@odata.type")
    id: str | None = None
    display_name: str | None = None
    created_date_time: GraphDateTime | None = None
    modified_date_time: GraphDateTime | None = None
    ip_ranges: list[IpRangeResource] | None = None
    is_trusted: bool | None = None
    countries_and_regions: list[str] | None = None
    include_unknown_countries_and_regions: bool | None = None
    country_lookup_method: str | None = None


def _conditions_view(policy: ConditionalAccessPolicy) -> dict[str, Any]:
    conditions = policy.conditions
    users = {
        **users_document(conditions.users),
        "includeGuestsOrExternalUsers": None,
        "excludeGuestsOrExternalUsers": None,
    }
    applications = {
        **applications_document(conditions.applications),
        "includeUserActions": [],
        "includeAuthenticationContextClassReferences": [],
        "applicationFilter": None,
    }
    return {
        "userRiskLevels": [],
        "signInRiskLevels": [],
        "clientAppTypes": [str(t) for t in conditions.client_app_types],
        "servicePrincipalRiskLevels": [],
        "platforms": None,
        "locations": locations_document(conditions.locations),
        "devices": None,
        "clientApplications": None,
        "applications": applications,
        "users": users,
    }


def policy_view(policy: ConditionalAccessPolicy) -> dict[str, Any]:
    """A stored policy on the wire, in Graph v1.0's property order."""
    controls = policy.grant_controls
    return ConditionalAccessPolicyResource(
        id=policy.id,
        template_id=None,
        display_name=policy.display_name,
        created_date_time=policy.created_at,
        modified_date_time=policy.modified_at,
        state=str(policy.state),
        session_controls=None,
        conditions=_conditions_view(policy),
        grant_controls={
            "operator": controls.operator,
            "builtInControls": [str(c) for c in controls.built_in_controls],
            "customAuthenticationFactors": [],
            "termsOfUse": [],
        },
    ).wire()


def location_view(location: NamedLocation) -> dict[str, Any]:
    """A stored named location on the wire: only the properties of its kind (Graph's derived types);
    `modifiedDateTime` is the creation time until it changes, as Entra sets it."""
    modified = location.modified_at or location.created_at
    if location.kind is LocationKind.IP:
        ranges = [IpRangeResource(odata_type=_family(r), cidr_address=r) for r in location.ip_ranges]
        ip = NamedLocationResource(
            odata_type=IP_TYPE,
            id=location.id,
            display_name=location.display_name,
            modified_date_time=modified,
            created_date_time=location.created_at,
            is_trusted=location.is_trusted,
            ip_ranges=ranges,
        )
        return ip.model_dump(by_alias=True, mode="json", include=_IP_KEYS)
    country = NamedLocationResource(
        odata_type=COUNTRY_TYPE,
        id=location.id,
        display_name=location.display_name,
        modified_date_time=modified,
        created_date_time=location.created_at,
        countries_and_regions=list(location.countries),
        include_unknown_countries_and_regions=location.include_unknown_countries,
        country_lookup_method="clientIpAddress",
    )
    return country.model_dump(by_alias=True, mode="json", include=_COUNTRY_KEYS)


def _family(cidr: str) -> str:
    return IPV6_TYPE if ":" in cidr else IPV4_TYPE


_COMMON_KEYS = {"odata_type", "id", "display_name", "created_date_time", "modified_date_time"}
_IP_KEYS = _COMMON_KEYS | {"ip_ranges", "is_trusted"}
_COUNTRY_KEYS = _COMMON_KEYS | {
    "countries_and_regions",
    "include_unknown_countries_and_regions",
    "country_lookup_method",
}
