"""What My Account is built from: the admin center's sign-in machinery and the services Graph calls for the
same operations on oneself (built once by `app.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.apps.user_consent import UserConsentService
from tenantry.directory.users import UserService
from tenantry.sessions.mfa_admin import AuthMethodService
from tenantry.sessions.sspr.methods import SecurityInfoService
from tenantry.sessions.sspr.registration import RegistrationService
from tenantry.web.admin.deps import AdminDeps


@dataclass(frozen=True)
class MyAccountDeps:
    """`admin` signs users in (same client, keys and session length); the rest act on the signed-in user."""

    admin: AdminDeps
    users: UserService
    methods: AuthMethodService  # lists methods, as Graph's `authentication/methods`
    security_info: SecurityInfoService  # removes one's own, audited "User deleted security info"
    consents: UserConsentService
    registration: RegistrationService  # whether the browser's SSO session still opens `/securityinfo`
