"""SQLAlchemy Core tables. Every row carries `tenant_id` (style P9), except the instance-wide ones:
tenants themselves, their globally unique domains, signing keys and the assertion replay cache.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

GUID = String(36)
WHEN = DateTime(timezone=True)

tenants = Table(
    "tenants",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("display_name", String(256), nullable=False),
    Column("created_at", WHEN, nullable=False),
)

tenant_domains = Table(
    "tenant_domains",
    metadata,
    Column("name", String(253), primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
)

applications = Table(
    "applications",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("app_id", GUID, nullable=False, unique=True),
    Column("display_name", String(256), nullable=False),
    Column("sign_in_audience", String(64), nullable=False),
    Column("is_fallback_public_client", Boolean, nullable=False),
    Column("requested_access_token_version", Integer, nullable=True),
    Column("document", JSON, nullable=False),
    Column("created_at", WHEN, nullable=False),
)

application_identifier_uris = Table(
    "application_identifier_uris",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("uri", String(512), primary_key=True),
    Column("application_id", GUID, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True),
)

service_principals = Table(
    "service_principals",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("app_id", GUID, nullable=False),
    Column("display_name", String(256), nullable=False),
    Column("account_enabled", Boolean, nullable=False),
    Column("app_role_assignment_required", Boolean, nullable=False),
    Column("created_at", WHEN, nullable=False),
    UniqueConstraint("tenant_id", "app_id", name="uq_service_principals_tenant_app"),
)

app_role_assignments = Table(
    "app_role_assignments",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("principal_id", GUID, nullable=False),
    Column("principal_type", String(32), nullable=False),
    Column("resource_id", GUID, ForeignKey("service_principals.id", ondelete="CASCADE"), nullable=False),
    Column("app_role_id", GUID, nullable=False),
    Column("created_at", WHEN, nullable=False),
    UniqueConstraint("tenant_id", "principal_id", "resource_id", "app_role_id", name="uq_app_role_assignments_grant"),
)

password_credentials = Table(
    "password_credentials",
    metadata,
    Column("key_id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("application_id", GUID, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False),
    Column("display_name", String(256), nullable=False),
    Column("hint", String(8), nullable=False),
    Column("secret_hash", LargeBinary(64), nullable=False),
    Column("start_at", WHEN, nullable=False),
    Column("end_at", WHEN, nullable=False),
    Index("ix_password_credentials_app", "tenant_id", "application_id"),
)

key_credentials = Table(
    "key_credentials",
    metadata,
    Column("key_id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("application_id", GUID, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False),
    Column("display_name", String(256), nullable=False),
    Column("type", String(32), nullable=False),
    Column("usage", String(16), nullable=False),
    Column("cert_der", LargeBinary, nullable=False),
    Column("thumbprint_sha1", LargeBinary(20), nullable=False),
    Column("thumbprint_sha256", LargeBinary(32), nullable=False),
    Column("start_at", WHEN, nullable=False),
    Column("end_at", WHEN, nullable=False),
    Index("ix_key_credentials_app", "tenant_id", "application_id"),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("sealed_private_key", LargeBinary, nullable=False),
    Column("cert_der", LargeBinary, nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("activates_at", WHEN, nullable=False),
    Column("retires_at", WHEN, nullable=True),
)

used_assertions = Table(
    "used_assertions",
    metadata,
    Column("client_id", GUID, primary_key=True),
    Column("jti_hash", LargeBinary(32), primary_key=True),
    Column("expires_at", WHEN, nullable=False, index=True),
)
