"""What the admin center is built from: services made once by the composition root (`app.py`).

The code redemption is a callable, so this adapter reaches the token endpoint's logic without importing
the protocol package (adapters never import each other).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tenantry.apps.service import AppService
from tenantry.common.clock import Clock
from tenantry.common.master_key import MasterKey
from tenantry.credentials.federated import FederatedCredentialService
from tenantry.credentials.service import CredentialService
from tenantry.credentials.share_links import ShareLinkService
from tenantry.directory.authorization import Authorizer
from tenantry.directory.groups import GroupService
from tenantry.directory.role_service import RoleService
from tenantry.directory.users import UserService
from tenantry.tokens.keys import ActiveKey
from tenantry.web.admin.operations import Operations

# (token request form, public URL) → the token endpoint's success body, or `AadstsError`.
Redeem = Callable[[Mapping[str, str], str], dict[str, Any]]


@dataclass(frozen=True)
class AdminDeps:
    """Services, keys and knobs of the admin center."""

    clock: Clock
    master_key: MasterKey  # seals the session cookie, signs CSRF tokens
    published_keys: Callable[[], tuple[ActiveKey, ...]]
    clock_skew: timedelta
    redeem: Redeem
    apps: AppService
    credentials: CredentialService
    share_links: ShareLinkService
    users: UserService
    roles: RoleService
    authorizer: Authorizer
    # How long an admin session lasts at most (it also ends with the access token it was made from).
    session_minutes: int = 60
    # Monitoring and Settings (the logs, the expiry scan, the tenant-wide settings); None in an app without them.
    operations: Operations | None = None
    # Groups and an app's federated credentials; None in an app without them (their pages then say so).
    groups: GroupService | None = None
    federated_credentials: FederatedCredentialService | None = None
