"""Conditional access policies and named locations, as Graph v1.0 shapes them (`conditionalAccessPolicy`,
`ipNamedLocation`, `countryNamedLocation`), reduced to what Tenantry evaluates.

A policy applies to a sign-in when every condition it sets matches (users, applications, client app types,
locations); its grant controls then say what the sign-in must have proved. Only the controls Tenantry can
check are accepted: `block`, `mfa` and `passwordChange` (device, app-protection and terms-of-use controls
have nothing to check against here, so Graph refuses them rather than storing a policy that could never be
met).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class PolicyState(StrEnum):
    """Graph's `conditionalAccessPolicyState`."""

    ENABLED = "enabled"
    DISABLED = "disabled"
    REPORT_ONLY = "enabledForReportingButNotEnforced"


class GrantControl(StrEnum):
    """The built-in grant controls Tenantry evaluates."""

    BLOCK = "block"
    MFA = "mfa"
    PASSWORD_CHANGE = "passwordChange"  # noqa: S105 - a control name


class ClientAppType(StrEnum):
    """Graph's `conditionalAccessClientApp`. Tenantry's pages are `browser`; MSAL and the other OAuth
    clients using the token endpoint are `mobileAppsAndDesktopClients`; there is no Exchange ActiveSync or
    legacy protocol here, so `exchangeActiveSync` and `other` never match a sign-in."""

    ALL = "all"
    BROWSER = "browser"
    MODERN = "mobileAppsAndDesktopClients"
    EXCHANGE_ACTIVE_SYNC = "exchangeActiveSync"
    OTHER = "other"


ALL = "All"
NONE = "None"
ALL_TRUSTED = "AllTrusted"
GUESTS = "GuestsOrExternalUsers"


@dataclass(frozen=True, slots=True)
class UserCondition:
    """`conditions.users`: user ids (or `All` / `None` / `GuestsOrExternalUsers`), group ids, and directory
    role *template* ids, each included or excluded. Exclusion wins."""

    include_users: tuple[str, ...] = ()
    exclude_users: tuple[str, ...] = ()
    include_groups: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()
    include_roles: tuple[str, ...] = ()
    exclude_roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ApplicationCondition:
    """`conditions.applications`: application (client) ids, or `All` / `None`."""

    include_applications: tuple[str, ...] = ()
    exclude_applications: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LocationCondition:
    """`conditions.locations`: named location ids, or `All` / `AllTrusted`."""

    include_locations: tuple[str, ...] = ()
    exclude_locations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Conditions:
    """`conditions`; `locations` None means the policy does not look at the location."""

    users: UserCondition = field(default_factory=UserCondition)
    applications: ApplicationCondition = field(default_factory=ApplicationCondition)
    client_app_types: tuple[ClientAppType, ...] = (ClientAppType.ALL,)
    locations: LocationCondition | None = None


@dataclass(frozen=True, slots=True)
class GrantControls:
    """`grantControls`: `OR` needs one of the controls, `AND` all of them."""

    operator: str = "OR"
    built_in_controls: tuple[GrantControl, ...] = ()


@dataclass(frozen=True, slots=True)
class ConditionalAccessPolicy:
    """One policy of a tenant."""

    id: str
    tenant_id: str
    display_name: str
    state: PolicyState
    conditions: Conditions
    grant_controls: GrantControls
    created_at: datetime
    modified_at: datetime | None = None


class LocationKind(StrEnum):
    """The two kinds of named location of Graph v1.0."""

    IP = "ipNamedLocation"
    COUNTRY = "countryNamedLocation"


@dataclass(frozen=True, slots=True)
class NamedLocation:
    """An IP named location (CIDR ranges, IPv4 or IPv6, maybe trusted) or a country named location.
    Tenantry has no geolocation database, so a country location is stored and shown but never matches a
    sign-in address (documented in the README)."""

    id: str
    tenant_id: str
    display_name: str
    kind: LocationKind
    created_at: datetime
    modified_at: datetime | None = None
    ip_ranges: tuple[str, ...] = ()
    is_trusted: bool = False
    countries: tuple[str, ...] = ()
    include_unknown_countries: bool = False
