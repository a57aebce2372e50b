"""Tenantry's `seamlessSingleSignOnRealm`: one Kerberos realm of the tenant's seamless SSO, as `tenantry sso
status` shows it (Entra keeps this in Entra Connect, with no Graph resource; the shape is ours). Key versions
and ages only: key bytes never leave the server."""

from __future__ import annotations

from pydantic import Field

from tenantry.graph.odata import FieldSpec, FieldType
from tenantry.graph.schemas.common import GraphDateTime, GraphModel
from tenantry.sso.models import RealmStatus

REALM_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(FieldType.STRING, sortable=True),
    "servicePrincipalNames": FieldSpec(FieldType.STRING_COLLECTION),
    "keyImportedDateTime": FieldSpec(FieldType.DATETIME, sortable=True),
    "keyAgeInDays": FieldSpec(FieldType.INT),
    "isKeyRolloverDue": FieldSpec(FieldType.BOOL),
}


class SeamlessSsoRealmResource(GraphModel):
    """A realm (`id`), its service principals, its key versions (newest first) and the newest key's age."""

    id: str | None = None
    service_principal_names: list[str] = Field(default_factory=list)
    key_versions: list[int] = Field(default_factory=list)
    encryption_types: list[int] = Field(default_factory=list)
    key_imported_date_time: GraphDateTime | None = None
    key_age_in_days: int | None = None
    is_key_rollover_due: bool | None = None


def realm_view(status: RealmStatus) -> SeamlessSsoRealmResource:
    """The wire form of one realm."""
    return SeamlessSsoRealmResource(
        id=status.realm,
        service_principal_names=[f"{p}@{status.realm}" for p in status.principals],
        key_versions=list(status.kvnos),
        encryption_types=list(status.enctypes),
        key_imported_date_time=status.imported_at,
        key_age_in_days=status.age_days,
        is_key_rollover_due=status.needs_rollover,
    )
