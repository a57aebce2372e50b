"""Checking a policy or named location before it is stored: drafts (what a caller asked for, as strings)
become models or a `ConditionalAccessError` saying what is wrong, in Graph's words where Entra has some.

Rules (Entra's unless noted):
- `displayName` is required (1–256 characters); `state` is one of the three states.
- A policy includes some users (`includeUsers`, `includeGroups` or `includeRoles`; `None` counts) and some
  applications (`includeApplications`): Entra refuses a policy that targets nobody or nothing.
- Referenced users and groups exist in the tenant, roles are built-in role template ids, locations are
  the tenant's named locations; the special values are `All` / `None` / `GuestsOrExternalUsers` (users),
  `All` / `None` (applications) and `All` / `AllTrusted` (locations).
- Grant controls: `block`, `mfa` and `passwordChange` only (Tenantry's rule: device and app-protection
  controls have nothing to check against here); `block` stands alone; the operator is `OR` or `AND`.
- IP ranges are CIDR (`ipaddress`), countries ISO 3166 alpha-2 codes.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from tenantry.common.ids import is_guid
from tenantry.conditional_access.models import (
    ALL,
    ALL_TRUSTED,
    GUESTS,
    NONE,
    ApplicationCondition,
    ClientAppType,
    GrantControl,
    GrantControls,
    LocationCondition,
    LocationKind,
    NamedLocation,
    PolicyState,
    UserCondition,
)
from tenantry.directory.models import Group, User
from tenantry.directory.roles import BUILT_IN_ROLES, MEMBER_USER_TEMPLATE_ID

MAX_NAME = 256
UNEVALUATED_CONTROLS = frozenset(
    {"compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication"}
)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# Whether an object id exists in the tenant.
ReferenceCheck = Callable[[str], bool]
_ROLE_IDS = frozenset({r.id for r in BUILT_IN_ROLES} | {MEMBER_USER_TEMPLATE_ID})


class ConditionalAccessError(ValueError):
    """A policy or named location Tenantry refuses; `message` says what to change."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LocationInUseError(ConditionalAccessError):
    """A named location that policies still reference cannot be deleted (Entra refuses it too)."""


class ReferenceReader(Protocol):
    """The reads that prove a policy's references exist in the tenant."""

    def find_user(self, tenant_id: str, user_id: str) -> User | None:
        """A user of the tenant."""
        ...

    def find_group(self, tenant_id: str, group_id: str) -> Group | None:
        """A group of the tenant."""
        ...

    def find_named_location(self, tenant_id: str, location_id: str) -> NamedLocation | None:
        """A named location of the tenant."""
        ...


@dataclass(frozen=True, slots=True)
class PolicyDraft:
    """A policy as asked for: every value still a string, nothing checked yet."""

    display_name: str | None
    state: str | None
    users: UserCondition
    applications: ApplicationCondition
    client_app_types: tuple[str, ...] = (str(ClientAppType.ALL),)
    locations: LocationCondition | None = None
    operator: str | None = "OR"
    built_in_controls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LocationDraft:
    """A named location as asked for: `kind` is `ipNamedLocation` or `countryNamedLocation`."""

    display_name: str | None
    kind: str
    ip_ranges: tuple[str, ...] = ()
    is_trusted: bool = False
    countries: tuple[str, ...] = ()
    include_unknown_countries: bool = False


def check_display_name(name: str | None) -> str:
    """Required, 1–256 characters once trimmed."""
    text = (name or "").strip()
    if not text:
        raise ConditionalAccessError("displayName is required.")
    if len(text) > MAX_NAME:
        raise ConditionalAccessError(f"displayName has at most {MAX_NAME} characters.")
    return text


def check_state(state: str | None) -> PolicyState:
    """One of Graph's three states."""
    try:
        return PolicyState(state or "")
    except ValueError:
        allowed = ", ".join(s.value for s in PolicyState)
        raise ConditionalAccessError(f"state must be one of {allowed}, not {state!r}.") from None


def _control(name: str) -> GrantControl:
    if name in UNEVALUATED_CONTROLS:
        raise ConditionalAccessError(
            f"Tenantry cannot evaluate the grant control '{name}': it has no device or app-protection "
            "information to check it against. Use block, mfa or passwordChange."
        )
    try:
        return GrantControl(name)
    except ValueError:
        raise ConditionalAccessError(f"'{name}' is not a grant control (block, mfa, passwordChange).") from None


def check_grant_controls(operator: str | None, names: Iterable[str]) -> GrantControls:
    """At least one known control, `block` alone, operator `OR` or `AND`."""
    controls = tuple(dict.fromkeys(_control(name) for name in names))
    if not controls:
        raise ConditionalAccessError("grantControls.builtInControls needs at least one control.")
    if GrantControl.BLOCK in controls and len(controls) > 1:
        raise ConditionalAccessError("The block control cannot be combined with other controls.")
    op = (operator or "OR").upper()
    if op not in ("OR", "AND"):
        raise ConditionalAccessError(f"grantControls.operator must be OR or AND, not {operator!r}.")
    return GrantControls(op, controls)


def check_client_app_types(values: Iterable[str]) -> tuple[ClientAppType, ...]:
    """Graph's `conditionalAccessClientApp` values, at least one."""
    found: list[ClientAppType] = []
    for value in values:
        try:
            found.append(ClientAppType(value))
        except ValueError:
            allowed = ", ".join(t.value for t in ClientAppType)
            raise ConditionalAccessError(f"clientAppTypes: '{value}' is not one of {allowed}.") from None
    if not found:
        raise ConditionalAccessError("conditions.clientAppTypes needs at least one value (all for every client).")
    return tuple(dict.fromkeys(found))


def _special(value: str, specials: Iterable[str]) -> str | None:
    return next((s for s in specials if value.lower() == s.lower()), None)


def _guid(value: str, what: str) -> str:
    if not is_guid(value):
        raise ConditionalAccessError(f"{what}: '{value[:64]}' is not a valid identifier.")
    return value.lower()


def _refs(values: Iterable[str], what: str, specials: Iterable[str], exists: ReferenceCheck) -> tuple[str, ...]:
    checked: list[str] = []
    for value in values:
        special = _special(value, specials)
        if special is None:
            special = _guid(value, what)
            if not exists(special):
                raise ConditionalAccessError(f"{what}: '{special}' does not exist in the tenant.")
        checked.append(special)
    return tuple(dict.fromkeys(checked))


def check_users(
    reader: ReferenceReader, tenant_id: str, users: UserCondition, known: frozenset[str] = frozenset()
) -> UserCondition:
    """Existing users, groups and built-in roles, or the special values; some users included. Ids in
    `known` (the stored policy's) pass unchecked: a user or group deleted since must not stop an admin from
    disabling the policy."""

    def user(i: str) -> bool:
        return i in known or reader.find_user(tenant_id, i) is not None

    def group(i: str) -> bool:
        return i in known or reader.find_group(tenant_id, i) is not None

    def role(i: str) -> bool:
        return i in _ROLE_IDS

    checked = UserCondition(
        include_users=_refs(users.include_users, "includeUsers", (ALL, NONE, GUESTS), user),
        exclude_users=_refs(users.exclude_users, "excludeUsers", (GUESTS,), user),
        include_groups=_refs(users.include_groups, "includeGroups", (), group),
        exclude_groups=_refs(users.exclude_groups, "excludeGroups", (), group),
        include_roles=_refs(users.include_roles, "includeRoles", (), role),
        exclude_roles=_refs(users.exclude_roles, "excludeRoles", (), role),
    )
    if not (checked.include_users or checked.include_groups or checked.include_roles):
        raise ConditionalAccessError(
            "conditions.users must include users, groups or roles (includeUsers None to target nobody)."
        )
    return checked


def check_applications(apps: ApplicationCondition) -> ApplicationCondition:
    """Application (client) ids or `All` / `None`; some applications included."""

    def anything(_: str) -> bool:
        return True  # appIds of other tenants' and first-party apps are valid targets too

    checked = ApplicationCondition(
        _refs(apps.include_applications, "includeApplications", (ALL, NONE), anything),
        _refs(apps.exclude_applications, "excludeApplications", (), anything),
    )
    if not checked.include_applications:
        raise ConditionalAccessError("conditions.applications must include applications (All, None or appIds).")
    return checked


def check_locations(
    reader: ReferenceReader, tenant_id: str, where: LocationCondition | None, known: frozenset[str] = frozenset()
) -> LocationCondition | None:
    """The tenant's named locations (or ids in `known`, the stored policy's) or `All` / `AllTrusted`; None
    leaves the location out of the policy."""
    if where is None:
        return None

    def location(i: str) -> bool:
        return i in known or reader.find_named_location(tenant_id, i) is not None

    checked = LocationCondition(
        _refs(where.include_locations, "includeLocations", (ALL, ALL_TRUSTED), location),
        _refs(where.exclude_locations, "excludeLocations", (ALL_TRUSTED,), location),
    )
    if not checked.include_locations:
        raise ConditionalAccessError("conditions.locations must include locations (All, AllTrusted or ids).")
    return checked


def check_cidr(text: str) -> str:
    """A CIDR range (`203.0.113.0/24`, `2001:db8::/32`), kept as written (host bits allowed, as Entra)."""
    value = text.strip()
    try:
        if "/" not in value:
            raise ValueError(value)
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ConditionalAccessError(f"ipRanges: '{text[:64]}' is not a valid CIDR range.") from None
    return value


def check_location(draft: LocationDraft) -> tuple[str, LocationKind, tuple[str, ...], tuple[str, ...]]:
    """The name, kind, ranges and countries of a valid named location."""
    name = check_display_name(draft.display_name)
    try:
        kind = LocationKind(draft.kind)
    except ValueError:
        raise ConditionalAccessError(
            "@odata.type must be #microsoft.graph.ipNamedLocation or #microsoft.graph.countryNamedLocation."
        ) from None
    if kind is LocationKind.IP:
        ranges = tuple(dict.fromkeys(check_cidr(r) for r in draft.ip_ranges))
        if not ranges:
            raise ConditionalAccessError("An IP named location needs at least one range in ipRanges.")
        return name, kind, ranges, ()
    countries = tuple(dict.fromkeys(c.strip().upper() for c in draft.countries))
    bad = [c for c in countries if not _COUNTRY.match(c)]
    if bad or not countries:
        raise ConditionalAccessError("countriesAndRegions needs ISO 3166 two-letter codes (e.g. NO, US).")
    return name, kind, (), countries
