"""What the SSPR pages are built from: the reset service and the key CSRF tokens are derived from (built
once by `app.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.common.master_key import MasterKey
from tenantry.sessions.sspr.reset import SsprService


@dataclass(frozen=True)
class SsprPageDeps:
    """The reset operations and the CSRF key."""

    service: SsprService
    csrf_key: MasterKey
