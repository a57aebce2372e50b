"""Secret lifetimes: the portal's presets and the tenant policy that caps them (entra-reference §4.6, §4.7).

The portal offers 90, 180 (recommended), 365, 545 and 730 days or a custom end date; Graph itself accepts
any end date unless an app management policy's `passwordLifetime` restriction forbids it. Tenantry keeps
one such restriction per tenant (its default app management policy).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tenantry.credentials.errors import CredentialError, CredentialPolicyError
from tenantry.credentials.lifecycle import CredentialPolicy

PORTAL_LIFETIME_DAYS = (90, 180, 365, 545, 730)
RECOMMENDED_LIFETIME_DAYS = 180
# Graph's `tenantAppManagementPolicy` (`/policies/defaultAppManagementPolicy`) has this fixed id.
DEFAULT_POLICY_ID = "00000000-0000-0000-0000-000000000000"


def preset_lifetime(days: int) -> timedelta:
    """One of the portal's presets; anything else is a usage error (use an end date for custom)."""
    if days not in PORTAL_LIFETIME_DAYS:
        offered = ", ".join(str(d) for d in PORTAL_LIFETIME_DAYS)
        raise CredentialError(f"--days must be one of {offered} (or give --end-date for a custom lifetime)")
    return timedelta(days=days)


def check_secret_lifetime(policy: CredentialPolicy | None, start: datetime, end: datetime) -> None:
    """Raise `CredentialPolicyError` when `end - start` exceeds the tenant's `passwordLifetime` cap.

    As in Entra, the check applies to every way of adding a secret, so `az`'s one-year default trips a
    180-day policy (Azure/azure-cli#28522) instead of being silently shortened. An end in the past is
    not refused here (tests and imports register already-expired secrets on purpose).
    """
    if policy is None or policy.max_password_lifetime is None:
        return
    if end - start > policy.max_password_lifetime:
        raise CredentialPolicyError(DEFAULT_POLICY_ID, policy.max_password_lifetime)


def lifetime_days(policy: CredentialPolicy | None) -> int | None:
    """The cap in whole days, for display (None when the tenant has no cap)."""
    if policy is None or policy.max_password_lifetime is None:
        return None
    return policy.max_password_lifetime.days
