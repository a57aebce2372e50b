"""SQLAlchemy Core tables. Every row carries `tenant_id` (style P9), except the instance-wide ones:
tenants themselves, their globally unique domains, signing keys and the assertion replay cache.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from tenantry.store.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

GUID = String(36)
WHEN = UtcDateTime()

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

# One row per App ID URI an app exposes, by `identifier_uri_key` (lower case, one trailing slash removed):
# the primary key makes a URI unique per tenant however it is spelt; the spelling lives in the app's document.
application_identifier_uris = Table(
    "application_identifier_uris",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("uri_key", String(512), primary_key=True),
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
    # Graph `servicePrincipalType`: `Application`, or `ManagedIdentity` (apps/managed_identities.py).
    Column("service_principal_type", String(32), nullable=False, server_default="Application"),
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

users = Table(
    "users",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("user_principal_name", String(113), nullable=False, unique=True),
    Column("display_name", String(256), nullable=False),
    Column("mail", String(256), nullable=True),
    Column("account_enabled", Boolean, nullable=False),
    Column("password_hash", String(256), nullable=True),
    Column("password_changed_at", WHEN, nullable=True),
    Column("password_expires_at", WHEN, nullable=True),
    Column("force_change_password_next_sign_in", Boolean, nullable=False),
    Column("sign_in_sessions_valid_from", WHEN, nullable=True),
    Column("created_at", WHEN, nullable=False),
    Column("given_name", String(64), nullable=True),
    Column("surname", String(64), nullable=True),
    Column("mail_nickname", String(64), nullable=True),
    Column("password_policies", String(64), nullable=True),
    Column("on_premises_user_principal_name", String(256), nullable=True),
    Column("on_premises_sam_account_name", String(64), nullable=True),
    Column("on_premises_security_identifier", String(256), nullable=True),
)

groups = Table(
    "groups",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("display_name", String(256), nullable=False),
    Column("description", String(1024), nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("mail_nickname", String(64), nullable=True),
    Column("security_enabled", Boolean, nullable=False, server_default=true()),
    Column("mail_enabled", Boolean, nullable=False, server_default=false()),
    Column("is_assignable_to_role", Boolean, nullable=False, server_default=false()),
)

# A tenant's password policy: validity in days (NULL: never expires) and its custom banned terms (JSON array).
tenant_password_policies = Table(
    "tenant_password_policies",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("validity_days", Integer, nullable=True),
    Column("banned_terms", Text, nullable=False, server_default="[]"),
)

user_auth_methods = Table(
    "user_auth_methods",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", GUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("type", String(32), nullable=False),
    Column("display_name", String(256), nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("sealed_secret", LargeBinary, nullable=True),
    Column("last_used_step", BigInteger, nullable=True),
    Column("pass_hash", LargeBinary(32), nullable=True),
    Column("start_at", WHEN, nullable=True),
    Column("lifetime_minutes", Integer, nullable=True),
    Column("usable_once", Boolean, nullable=False, server_default=false()),
    Column("used_at", WHEN, nullable=True),
    Column("email_address", String(320), nullable=True),
)

# A user's per-user MFA state (Graph `perUserMfaState`): `enabled` or `enforced`; no row is `disabled`.
user_mfa_requirements = Table(
    "user_mfa_requirements",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("state", String(16), nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", GUID, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", GUID, primary_key=True),
    Index("ix_group_members_member", "tenant_id", "member_id"),
)

permission_grants = Table(
    "permission_grants",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", GUID, ForeignKey("service_principals.id", ondelete="CASCADE"), nullable=False),
    Column("resource_id", GUID, ForeignKey("service_principals.id", ondelete="CASCADE"), nullable=False),
    Column("consent_type", String(16), nullable=False),
    # "" for AllPrincipals, so the unique constraint also covers admin consent (NULLs never collide).
    Column("principal_id", String(36), nullable=False),
    Column("scopes", String(4096), nullable=False),
    Column("created_at", WHEN, nullable=False),
    UniqueConstraint("tenant_id", "client_id", "resource_id", "principal_id", name="uq_permission_grants_grant"),
)

sso_sessions = Table(
    "sso_sessions",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("token_hash", LargeBinary(32), nullable=False, unique=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", GUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", WHEN, nullable=False),
    Column("last_seen_at", WHEN, nullable=False),
    Column("auth_time", WHEN, nullable=False),
    Column("persistent", Boolean, nullable=False),
    Column("auth_methods", String(128), nullable=False),
    Column("revoked_at", WHEN, nullable=True),
)

authorization_codes = Table(
    "authorization_codes",
    metadata,
    Column("code_hash", LargeBinary(32), primary_key=True),
    Column("family_id", GUID, nullable=False, index=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", GUID, nullable=False),
    Column("user_id", GUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("session_id", GUID, nullable=True),
    Column("redirect_uri", String(2048), nullable=False),
    Column("scopes", String(4096), nullable=False),
    Column("nonce", String(512), nullable=True),
    Column("code_challenge", String(128), nullable=True),
    Column("code_challenge_method", String(8), nullable=True),
    Column("spa", Boolean, nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("expires_at", WHEN, nullable=False, index=True),
    Column("auth_time", WHEN, nullable=False),
    Column("redeemed_at", WHEN, nullable=True),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", LargeBinary(32), primary_key=True),
    Column("family_id", GUID, nullable=False, index=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", GUID, nullable=False),
    Column("user_id", GUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("session_id", GUID, nullable=True),
    Column("scopes", String(4096), nullable=False),
    Column("spa", Boolean, nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("expires_at", WHEN, nullable=False, index=True),
    Column("auth_time", WHEN, nullable=False),
    Column("revoked_at", WHEN, nullable=True),
)

device_codes = Table(
    "device_codes",
    metadata,
    Column("device_code_hash", LargeBinary(32), primary_key=True),
    Column("user_code", String(16), nullable=False, unique=True),
    Column("tenant_segment", String(256), nullable=False),
    Column("client_id", GUID, nullable=False),
    Column("scopes", String(4096), nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("expires_at", WHEN, nullable=False, index=True),
    Column("interval", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("last_polled_at", WHEN, nullable=True),
    Column("tenant_id", GUID, nullable=True),
    Column("user_id", GUID, nullable=True),
    Column("auth_time", WHEN, nullable=True),
)

# Interactive sign-ins in progress (sessions/flow.py); `tenant_id` is null until the path's tenant is
# concrete (a flow started on /common learns it from the user). Expired rows are dead (AADSTS50089).
sign_in_flows = Table(
    "sign_in_flows",
    metadata,
    Column("handle_hash", LargeBinary(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("tenant_segment", String(256), nullable=False),
    Column("tenant_id", GUID, nullable=True),
    Column("client_id", GUID, nullable=False),
    Column("document", JSON, nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("expires_at", WHEN, nullable=False, index=True),
)

# Directory role assignments (directory/roles.py); `principal_id` is a user or a service principal.
role_assignments = Table(
    "role_assignments",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("principal_id", GUID, nullable=False),
    Column("role_definition_id", GUID, nullable=False),
    Column("directory_scope_id", String(256), nullable=False),
    Column("created_at", WHEN, nullable=False),
    UniqueConstraint(
        "tenant_id", "principal_id", "role_definition_id", "directory_scope_id", name="uq_role_assignments_grant"
    ),
)

# Owners of app registrations: users or service principals of the app's tenant.
application_owners = Table(
    "application_owners",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("application_id", GUID, ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("owner_id", GUID, primary_key=True),
    Column("owner_type", String(32), nullable=False),
    Index("ix_application_owners_owner", "tenant_id", "owner_id"),
)

# The audit log: `seq` keeps insertion order among records written at the same instant (one request
# stamps all its records with one time); actor and targets are JSON, as Graph nests them.
audit_records = Table(
    "audit_records",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", GUID, nullable=False, unique=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("activity", String(256), nullable=False),
    Column("category", String(64), nullable=False),
    Column("operation_type", String(32), nullable=False),
    Column("result", String(16), nullable=False),
    Column("actor", JSON, nullable=False),
    Column("targets", JSON, nullable=False),
    Column("correlation_id", String(128), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("created_at", WHEN, nullable=False),
    Index("ix_audit_records_tenant_time", "tenant_id", "created_at"),
)

# A tenant's credential lifetime policy; the lifetime is stored in whole seconds (null: no limit).
credential_policies = Table(
    "credential_policies",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("max_password_lifetime_seconds", BigInteger, nullable=True),
)

# Expiry warnings sent: each credential is warned once per horizon. `key_id` names a secret or a
# certificate (two tables), so it has no foreign key.
expiry_warnings = Table(
    "expiry_warnings",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("key_id", GUID, primary_key=True),
    Column("horizon_days", Integer, primary_key=True),
    Column("sent_at", WHEN, nullable=False),
)

# The webhook outbox; the idempotency key is unique within a tenant (style P9).
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("idempotency_key", String(256), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("next_attempt_at", WHEN, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("delivered_at", WHEN, nullable=True),
    Column("last_error", Text, nullable=True),
    UniqueConstraint("tenant_id", "idempotency_key", name="uq_webhook_deliveries_idempotency_key"),
    Index("ix_webhook_deliveries_due", "delivered_at", "next_attempt_at"),
)

# One-time links revealing a new secret, keyed by a hash of the link's token.
share_links = Table(
    "share_links",
    metadata,
    Column("token_hash", LargeBinary(32), primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("application_id", GUID, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("key_id", GUID, nullable=False),
    Column("sealed_secret", LargeBinary, nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("expires_at", WHEN, nullable=False),
    Column("revealed_at", WHEN, nullable=True),
)

# Sign-in logs (Graph `signIn`), written in batches by the sign-in log's writer thread; `seq` keeps the order
# of entries of one instant. No foreign key to users or apps: a refused sign-in names what it claimed, and
# an entry outlives a deleted user. Purged by age (`sign_in_log_retention_days`). Every index grows at its end
# (time order): `id` (the request's random trace id) has none, so a busy server's inserts touch few pages;
# finding one entry by id scans its tenant's entries.
sign_in_logs = Table(
    "sign_in_logs",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", GUID, nullable=False),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("error_code", Integer, nullable=False),
    Column("failure_reason", Text, nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("user_principal_name", String(256), nullable=False),
    Column("user_display_name", String(256), nullable=False),
    Column("app_id", String(64), nullable=False),
    Column("app_display_name", String(256), nullable=False),
    Column("resource_id", String(256), nullable=False),
    Column("resource_display_name", String(256), nullable=False),
    Column("service_principal_id", String(64), nullable=False),
    Column("service_principal_name", String(256), nullable=False),
    Column("ip_address", String(64), nullable=False),
    Column("client_app_used", String(64), nullable=False),
    Column("correlation_id", String(128), nullable=False),
    Column("is_interactive", Boolean, nullable=False),
    Column("conditional_access_status", String(32), nullable=False),
    Column("applied_policies", JSON, nullable=False),
    Column("authentication_requirement", String(64), nullable=False),
    Index("ix_sign_in_logs_tenant_time", "tenant_id", "created_at"),
    Index("ix_sign_in_logs_created_at", "created_at"),
)

# Smart lockout (passwords/models.py). A tenant's settings: threshold, duration, blocked CIDR ranges (JSON).
tenant_lockout_policies = Table(
    "tenant_lockout_policies",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("threshold", Integer, nullable=False),
    Column("duration_seconds", Integer, nullable=False),
    Column("blocked_ranges", Text, nullable=False, server_default="[]"),
)

# One row per location of a user with failures (`location`: a familiar address, or "unfamiliar");
# `fingerprints`: the last wrong passwords' keyed HMACs, space-separated.
lockout_states = Table(
    "lockout_states",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("location", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("lockouts", Integer, nullable=False),
    Column("locked_until", WHEN, nullable=True),
    Column("fingerprints", Text, nullable=False),
)

# The addresses each user has signed in from successfully: their familiar locations.
familiar_addresses = Table(
    "familiar_addresses",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("address", String(64), primary_key=True),
)

# Conditional access (conditional_access/models.py). `conditions` and `grant_controls` are the policy's
# Graph-shaped JSON documents; a named location's `ip_ranges` and `countries` are JSON lists.
ca_policies = Table(
    "ca_policies",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("display_name", String(256), nullable=False),
    Column("state", String(64), nullable=False),
    Column("conditions", JSON, nullable=False),
    Column("grant_controls", JSON, nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("modified_at", WHEN, nullable=True),
)

named_locations = Table(
    "named_locations",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("display_name", String(256), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ip_ranges", JSON, nullable=False),
    Column("is_trusted", Boolean, nullable=False, server_default=false()),
    Column("countries", JSON, nullable=False),
    Column("include_unknown_countries", Boolean, nullable=False, server_default=false()),
    Column("created_at", WHEN, nullable=False),
    Column("modified_at", WHEN, nullable=True),
)


# Self-service password reset (migration 0011): a tenant's settings (no row: off), resets in progress (by
# the SHA-256 of their handle; the e-mail code only as a keyed hash), per-user registration state, and
# fixed-window attempt counters. The counters are instance-wide (an address is counted across tenants):
# their key is a keyed hash of "user:<tenant>:<upn>" or "ip:<address>", never the name itself.
sspr_policies = Table(
    "sspr_policies",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("scope", String(8), nullable=False),
    Column("group_id", GUID, nullable=True),
    Column("methods_required", Integer, nullable=False),
    Column("methods", String(128), nullable=False),
    Column("questions_to_register", Integer, nullable=False),
    Column("questions_to_reset", Integer, nullable=False),
    Column("require_registration", Boolean, nullable=False),
    Column("reconfirm_days", Integer, nullable=False),
    Column("skip_days", Integer, nullable=False),
    Column("notify_admins", Boolean, nullable=False),
)

sspr_flows = Table(
    "sspr_flows",
    metadata,
    Column("handle_hash", LargeBinary(32), primary_key=True),
    Column("upn", String(256), nullable=False),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=True),
    Column("user_id", GUID, nullable=True),
    Column("step", String(16), nullable=False),
    Column("created_at", WHEN, nullable=False),
    Column("expires_at", WHEN, nullable=False, index=True),
    Column("verified", String(128), nullable=False, server_default=""),
    Column("code_hash", LargeBinary(32), nullable=True),
    Column("code_expires_at", WHEN, nullable=True),
    Column("code_attempts", Integer, nullable=False, server_default="0"),
)

sspr_registrations = Table(
    "sspr_registrations",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("confirmed_at", WHEN, nullable=True),
    Column("snoozed_until", WHEN, nullable=True),
)

sspr_rate_counters = Table(
    "sspr_rate_counters",
    metadata,
    Column("key", LargeBinary(32), primary_key=True),
    Column("window_start", WHEN, nullable=False),
    Column("count", Integer, nullable=False),
)

# Azure subscriptions of a tenant (`directory/subscriptions.py`): names under a tenant for `az account list`.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("display_name", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", WHEN, nullable=False),
)

# Managed identities (apps/managed_identities.py): the service principal is the identity; the endpoint secrets
# are kept as SHA-256 digests only (they are 256-bit random values, so an unkeyed digest cannot be reversed).
managed_identities = Table(
    "managed_identities",
    metadata,
    Column("id", GUID, ForeignKey("service_principals.id", ondelete="CASCADE"), primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("resource_id", String(512), nullable=False),
    Column("header_hash", LargeBinary(32), nullable=False),
    Column("imds_hash", LargeBinary(32), nullable=False),
    Column("created_at", WHEN, nullable=False),
    UniqueConstraint("tenant_id", "name", name="uq_managed_identities_tenant_name"),
    UniqueConstraint("header_hash", name="uq_managed_identities_header_hash"),
    UniqueConstraint("imds_hash", name="uq_managed_identities_imds_hash"),
)

# Federated identity credentials of an application (credentials/federated.py).
federated_identity_credentials = Table(
    "federated_identity_credentials",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
    Column("application_id", GUID, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("issuer", String(600), nullable=False),
    Column("subject", String(600), nullable=False),
    Column("audiences", JSON, nullable=False),
    Column("description", String(600), nullable=False),
    Column("created_at", WHEN, nullable=False),
    UniqueConstraint("tenant_id", "application_id", "name", name="uq_federated_identity_credentials_name"),
    Index("ix_federated_identity_credentials_app", "tenant_id", "application_id"),
)

# Seamless SSO (sso/service.py): per tenant and Kerberos realm, the keys of the service principal
# `HTTP/<sso-host>@REALM` imported from a keytab, each sealed under the master key; two key versions at most
# (the newest, and the one before it while tickets issued under it are still about).
seamless_sso_keys = Table(
    "seamless_sso_keys",
    metadata,
    Column("tenant_id", GUID, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("realm", String(255), primary_key=True),
    Column("principal", String(255), primary_key=True),
    Column("kvno", Integer, primary_key=True),
    Column("enctype", Integer, primary_key=True),
    Column("sealed_key", LargeBinary, nullable=False),
    Column("imported_at", WHEN, nullable=False),
)
