"""Lookups shared by command groups, failing with a clear message instead of a traceback."""

from __future__ import annotations

import re
from datetime import timedelta

from tenantry.apps.models import Application
from tenantry.apps.service import AppError
from tenantry.cli.context import services
from tenantry.cli.output import fail
from tenantry.directory.models import Tenant


def get_tenant(reference: str) -> Tenant:
    """The tenant, or exit 1."""
    tenant = services().directory.find_tenant(reference)
    if tenant is None:
        raise fail(f"tenant '{reference}' not found")
    return tenant


def get_app(reference: str) -> Application:
    """An app by appId, object id or App ID URI (like `az ad app show --id`; `apps/references.py`), or exit 1
    saying what was tried."""
    try:
        return services().apps.get_app(reference)
    except AppError as exc:
        raise fail(str(exc)) from exc


_DURATION = re.compile(r"(\d{1,6})([smhd]?)")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str, default_unit: str, option: str) -> timedelta:
    """ "30d", "24h", "90m", "3600s"; a bare number is in `default_unit` (one of s, m, h, d)."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise fail(f"{option} '{text}' is not a duration such as 30d, 24h or 90m")
    number, unit = match.groups()
    return timedelta(**{_UNITS[unit or default_unit]: int(number)})
