"""Graph `domain` (v1.0): the tenant's verified domains with their password expiry settings, and the
`PATCH /domains/{id}` body (entra-reference §5.2).

Tenantry keeps one password policy per tenant, so every domain of a tenant shows the same
`passwordValidityPeriodInDays`, and changing it on one domain changes it for all. Graph writes "never
expires" as 2147483647 (Int32's maximum); the notification window is Entra's default, 14 days.
"""

from __future__ import annotations

from pydantic import Field

from tenantry.directory.models import PasswordPolicy, Tenant
from tenantry.graph.odata import FieldSpec, FieldType
from tenantry.graph.schemas.common import GraphInput, GraphModel

NEVER_EXPIRES = 2_147_483_647
NOTIFICATION_WINDOW_DAYS = 14

DOMAIN_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(FieldType.STRING, sortable=True),
    "authenticationType": FieldSpec(FieldType.STRING),
    "isDefault": FieldSpec(FieldType.BOOL),
    "isInitial": FieldSpec(FieldType.BOOL),
    "isVerified": FieldSpec(FieldType.BOOL),
    "isRoot": FieldSpec(FieldType.BOOL),
    "isAdminManaged": FieldSpec(FieldType.BOOL),
    "passwordValidityPeriodInDays": FieldSpec(FieldType.INT),
    "passwordNotificationWindowInDays": FieldSpec(FieldType.INT),
    "supportedServices": FieldSpec(FieldType.STRING_COLLECTION),
}


class DomainResource(GraphModel):
    """Graph `domain`: a domain the tenant verified (always Managed: Tenantry federates nothing)."""

    id: str | None = None
    authentication_type: str | None = None
    is_admin_managed: bool | None = None
    is_default: bool | None = None
    is_initial: bool | None = None
    is_root: bool | None = None
    is_verified: bool | None = None
    password_validity_period_in_days: int | None = None
    password_notification_window_in_days: int | None = None
    supported_services: list[str] = Field(default_factory=list)


def domain_views(tenant: Tenant, policy: PasswordPolicy) -> list[DomainResource]:
    """The tenant's domains; the first one registered is both initial and default."""
    validity = NEVER_EXPIRES if policy.validity_days is None else policy.validity_days
    return [
        DomainResource(
            id=domain,
            authentication_type="Managed",
            is_admin_managed=True,
            is_default=index == 0,
            is_initial=index == 0,
            is_root=True,
            is_verified=True,
            password_validity_period_in_days=validity,
            password_notification_window_in_days=NOTIFICATION_WINDOW_DAYS,
            supported_services=[],
        )
        for index, domain in enumerate(tenant.domains)
    ]


class DomainInput(GraphInput):
    """`PATCH /domains/{id}`: `passwordValidityPeriodInDays` (1–730, or 2147483647 for never); the
    notification window can only be Entra's default of 14 days."""

    password_validity_period_in_days: int | None = None
    password_notification_window_in_days: int | None = Field(
        None, ge=NOTIFICATION_WINDOW_DAYS, le=NOTIFICATION_WINDOW_DAYS
    )
