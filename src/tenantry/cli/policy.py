"""`tenantry tenant policy set|show`: the tenant's cap on new client-secret lifetimes (entra-reference §4.7).

Entra's `passwordCredentialConfiguration` with `restrictionType` `passwordLifetime` and `maxLifetime`
`P180D`; a secret added with a longer lifetime is refused with Entra's message.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import typer

from tenantry.cli.common import get_tenant
from tenantry.cli.context import cli_audit, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record
from tenantry.credentials.lifecycle import CredentialPolicy
from tenantry.credentials.policy import DEFAULT_POLICY_ID, lifetime_days
from tenantry.credentials.service import CredentialError

app = typer.Typer(help="The tenant's app management policy (secret lifetime cap).", no_args_is_help=True)


def policy_view(tenant_id: str, policy: CredentialPolicy | None) -> dict[str, Any]:
    """Graph `tenantAppManagementPolicy`, reduced to the one restriction Tenantry enforces."""
    days = lifetime_days(policy)
    restrictions = [] if days is None else [{"restrictionType": "passwordLifetime", "maxLifetime": f"P{days}D"}]
    return {
        "id": DEFAULT_POLICY_ID,
        "tenantId": tenant_id,
        "isEnabled": bool(restrictions),
        "applicationRestrictions": {"passwordCredentials": restrictions},
        "maxSecretDays": days,
    }


@app.command("set")
def set_(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain."),
    max_secret_days: int | None = typer.Option(
        None, "--max-secret-days", min=1, help="Longest lifetime of a new client secret, in days."
    ),
    clear: bool = typer.Option(False, "--clear", help="Remove the cap."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Cap the lifetime of new client secrets (existing secrets are not changed); audited."""
    if (max_secret_days is None) == (not clear):
        raise fail("usage error: --max-secret-days N | --clear")
    owner = get_tenant(tenant)
    lifetime = None if clear else timedelta(days=max_secret_days or 0)
    try:
        policy = services().credentials.set_policy(owner.id, lifetime, audit=cli_audit())
    except CredentialError as exc:
        raise fail(str(exc)) from exc
    view = policy_view(owner.id, policy)
    print_json(view) if as_json else print_record(view)


@app.command("show")
def show(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the tenant's policy."""
    owner = get_tenant(tenant)
    view = policy_view(owner.id, services().credentials.find_policy(owner.id))
    print_json(view) if as_json else print_record(view)
