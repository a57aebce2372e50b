"""What the ARM surface needs from the composition root, handed to `build_arm_app` (it never imports it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tenantry.common.azure_cloud import AzureCloud
from tenantry.common.clock import Clock
from tenantry.directory.role_service import RoleService
from tenantry.directory.service import DirectoryService
from tenantry.directory.subscriptions import SubscriptionService
from tenantry.tokens.keys import ActiveKey


@dataclass(frozen=True)
class ArmDeps:
    """Token verification (keys, clock, skew, the issuer's base), the directory and the subscriptions; `cloud`
    is None when no ARM URL can be published (the metadata document then answers 404)."""

    clock: Clock
    published_keys: Callable[[], Sequence[ActiveKey]]
    clock_skew: timedelta
    public_url: str
    cloud: AzureCloud | None
    directory: DirectoryService[Any]
    roles: RoleService
    subscriptions: SubscriptionService
