"""The computed status every credential shows: valid, expiring in N days, expired."""

from __future__ import annotations

import math
from datetime import datetime

EXPIRING_HORIZON_DAYS = 30


def credential_status(start: datetime, end: datetime, now: datetime) -> str:
    """A short human status; "expiring" starts 30 days before the end, as the portal warns."""
    if now > end:
        return "expired"
    if now < start:
        return "not yet valid"
    days = math.ceil((end - now).total_seconds() / 86400)
    if days <= EXPIRING_HORIZON_DAYS:
        return f"expiring in {days} day" + ("" if days == 1 else "s")
    return "valid"
