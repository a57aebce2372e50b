"""The services every command uses, built once per invocation from the environment's settings."""

from __future__ import annotations

from functools import cache

from pydantic import ValidationError

from tenantry.app import Services, build_services
from tenantry.cli.output import fail
from tenantry.config import Settings
from tenantry.tokens.keys import MasterKeyMismatchError


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad value exits with pydantic's explanation, not a traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise fail(f"invalid configuration:\n{exc}") from exc


def open_services(settings: Settings) -> Services:
    """Build the services or exit with a clear message when the data directory can't be used."""
    try:
        return build_services(settings)
    except MasterKeyMismatchError as exc:
        raise fail(str(exc)) from exc


@cache
def services() -> Services:
    """Open the store (migrating it) and wire the services."""
    return open_services(load_settings())
