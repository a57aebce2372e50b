"""The services every command uses, built once per invocation from the environment's settings."""

from __future__ import annotations

from functools import cache

from tenantry.app import Services, build_services
from tenantry.config import Settings


@cache
def services() -> Services:
    """Open the store (migrating it) and wire the services."""
    return build_services(Settings())
