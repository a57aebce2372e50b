"""A sign-in log entry, shaped like Graph's `signIn` (entra-reference §7.1), and the query that lists them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

SUCCESS = 0


class ClientApp(StrEnum):
    """`clientAppUsed`: the pages are a browser; public-client grants are modern (MSAL) clients; Entra
    shows the same for confidential clients' non-interactive sign-ins."""

    BROWSER = "Browser"
    MODERN = "Mobile Apps and Desktop clients"


class EventType(StrEnum):
    """Which of Entra's sign-in reports an entry belongs to (beta `signInEventTypes`)."""

    INTERACTIVE_USER = "interactiveUser"
    NON_INTERACTIVE_USER = "nonInteractiveUser"
    SERVICE_PRINCIPAL = "servicePrincipal"
    MANAGED_IDENTITY = "managedIdentity"


@dataclass(frozen=True, slots=True)
class AppliedPolicy:
    """One conditional access policy's line in an entry (`appliedConditionalAccessPolicy`): its result
    (`success`, `failure`, `notApplied`, `notEnabled`, `reportOnly…`) and the grant controls it enforced."""

    id: str
    display_name: str = ""
    result: str = ""
    enforced_grant_controls: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        """The stored form (a JSON object in the entry's list)."""
        return {
            "id": self.id,
            "displayName": self.display_name,
            "result": self.result,
            "enforcedGrantControls": list(self.enforced_grant_controls),
        }

    @classmethod
    def from_json(cls, value: object) -> AppliedPolicy:
        """From the stored form; entries written before policies were evaluated held bare ids."""
        if not isinstance(value, dict):
            return cls(id=str(value))
        controls = value.get("enforcedGrantControls") or []
        return cls(
            id=str(value.get("id", "")),
            display_name=str(value.get("displayName", "")),
            result=str(value.get("result", "")),
            enforced_grant_controls=tuple(str(c) for c in controls),
        )


@dataclass(frozen=True, slots=True)
class SignInEntry:
    """One sign-in or refused sign-in. Empty strings stand for what is unknown (a refused request names
    only what it claimed); `status_error_code` is 0 for a success, else the AADSTS code."""

    id: str
    created_at: datetime
    tenant_id: str
    event_type: EventType
    status_error_code: int = SUCCESS
    failure_reason: str = ""
    user_id: str = ""
    user_principal_name: str = ""
    user_display_name: str = ""
    app_id: str = ""
    app_display_name: str = ""
    resource_id: str = ""
    resource_display_name: str = ""
    service_principal_id: str = ""
    service_principal_name: str = ""
    ip_address: str = ""
    client_app_used: str = ClientApp.MODERN
    correlation_id: str = ""
    is_interactive: bool = False
    conditional_access_status: str = "notApplied"
    applied_conditional_access_policies: tuple[AppliedPolicy, ...] = ()
    authentication_requirement: str = "singleFactorAuthentication"

    @property
    def succeeded(self) -> bool:
        """Whether the sign-in got what it asked for."""
        return self.status_error_code == SUCCESS


@dataclass(frozen=True, slots=True)
class SignInQuery:
    """Which entries of one tenant to list, newest first; every criterion left None matches all."""

    tenant_id: str
    error_code: int | None = None
    user_principal_name: str | None = None
    app_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 1000
