"""Lookups shared by command groups, failing with a clear message instead of a traceback."""

from __future__ import annotations

import typer

from tenantry.apps.models import Application
from tenantry.cli.context import services
from tenantry.cli.output import fail
from tenantry.directory.models import Tenant


def tenant_option(required: bool = True) -> typer.models.OptionInfo:
    """`--tenant`: a tenant GUID or one of its domains."""
    return typer.Option(... if required else None, "--tenant", "-t", help="Tenant id or verified domain.")  # type: ignore[no-any-return]


def get_tenant(reference: str) -> Tenant:
    """The tenant, or exit 1."""
    tenant = services().directory.find_tenant(reference)
    if tenant is None:
        raise fail(f"tenant '{reference}' not found")
    return tenant


def get_app(reference: str) -> Application:
    """An app by appId, object id or App ID URI (like `az ad app show --id`), or exit 1."""
    app = services().apps.find_app(reference)
    if app is None:
        raise fail(f"application '{reference}' not found")
    return app
