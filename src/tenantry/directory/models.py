"""Directory records, named as Microsoft Graph names them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Tenant:
    """A directory (Graph `organization`): a GUID and the domains it has verified."""

    id: str
    display_name: str
    domains: tuple[str, ...]
    created_at: datetime

    @property
    def initial_domain(self) -> str:
        """The first domain registered, used where Entra shows `*.onmicrosoft.com`."""
        return self.domains[0]


@dataclass(frozen=True, slots=True)
class User:
    """A member of a tenant (Graph `user`); the password is an argon2id hash, never the value."""

    id: str
    tenant_id: str
    user_principal_name: str
    display_name: str
    created_at: datetime
    mail: str | None = None
    account_enabled: bool = True
    password_hash: str | None = None
    password_changed_at: datetime | None = None
    password_expires_at: datetime | None = None
    force_change_password_next_sign_in: bool = False
    sign_in_sessions_valid_from: datetime | None = None
    given_name: str | None = None
    surname: str | None = None
    mail_nickname: str | None = None
    # Graph `passwordPolicies`: "DisablePasswordExpiration", "DisableStrongPassword", both comma-separated, or None.
    password_policies: str | None = None
    # The on-premises account (Graph `onPremises*`, read-only there): set by `tenantry user update`, standing
    # in for directory sync; seamless SSO maps a Kerberos ticket's client principal to the user by them.
    on_premises_user_principal_name: str | None = None
    on_premises_sam_account_name: str | None = None
    on_premises_security_identifier: str | None = None

    @property
    def domain(self) -> str:
        """The UPN's domain, which names the user's home tenant."""
        return self.user_principal_name.rsplit("@", 1)[-1]


@dataclass(frozen=True, slots=True)
class Group:
    """A security group (Graph `group`)."""

    id: str
    tenant_id: str
    display_name: str
    created_at: datetime
    description: str = ""
    mail_nickname: str | None = None
    security_enabled: bool = True
    mail_enabled: bool = False
    # Only role-assignable groups may hold directory roles (Graph `isAssignableToRole`, set at creation).
    is_assignable_to_role: bool = False


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """A tenant's password policy: how long a password stays valid (None: it never expires, Entra's default
    for new tenants) and the tenant's own banned terms, added to the global list."""

    tenant_id: str
    validity_days: int | None = None
    banned_terms: tuple[str, ...] = ()
