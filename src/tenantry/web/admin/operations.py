"""What the Monitoring and Settings blades read and change (issue 15 items 6 and 7): the very services Graph
and the CLI use, built once by the composition root (`app.py`) and handed to the admin center in one field
of `AdminDeps`, so that the other blades' dependencies stay as they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from tenantry.audit.service import AuditService
from tenantry.conditional_access.service import ConditionalAccessService
from tenantry.credentials.expiry import ExpiringCredential
from tenantry.passwords.lockout import Lockout
from tenantry.passwords.service import PasswordPolicyService
from tenantry.sessions.sspr.policy import SsprPolicyService
from tenantry.signins.service import SignInLog
from tenantry.sso.service import SeamlessSsoService

# (window, tenant id) → the tenant's unexpired credentials ending within it, soonest first
# (`ExpiryScanner.list_expiring`, what `tenantry credential expiring` lists).
ListExpiring = Callable[[timedelta, str], list[ExpiringCredential]]


@dataclass(frozen=True)
class Operations:
    """The logs, the expiry scan and the tenant-wide settings' services."""

    sign_ins: SignInLog
    audit: AuditService
    list_expiring: ListExpiring
    password_policies: PasswordPolicyService
    lockout: Lockout
    sspr_policies: SsprPolicyService
    conditional_access: ConditionalAccessService
    seamless_sso: SeamlessSsoService
