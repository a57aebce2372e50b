"""`tenantry tenant lockout set|show|block-ip|unblock-ip`: the tenant's smart lockout settings and blocked
IP ranges (entra-reference §5.3).

Entra's defaults: 10 failed attempts (`lockoutThreshold`) lock an account's location for 60 s
(`lockoutDurationInSeconds`), each repeated lockout lasting twice as long. A sign-in from a blocked range is
refused with AADSTS50053 before its password is looked at.
"""

from __future__ import annotations

from typing import Any

import typer

from tenantry.cli.common import get_tenant
from tenantry.cli.context import cli_audit, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record
from tenantry.passwords.lockout import LockoutError
from tenantry.passwords.models import LockoutPolicy

app = typer.Typer(help="The tenant's smart lockout settings and blocked IP ranges.", no_args_is_help=True)

TENANT_OPTION = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain.")
CIDR_OPTION = typer.Option(..., "--cidr", help="An IPv4/IPv6 address or CIDR range, e.g. 203.0.113.0/24; repeat.")


def lockout_view(policy: LockoutPolicy) -> dict[str, Any]:
    """The settings with Entra's names (`lockoutThreshold`, `lockoutDurationInSeconds`)."""
    return {
        "tenantId": policy.tenant_id,
        "lockoutThreshold": policy.threshold,
        "lockoutDurationInSeconds": policy.duration_seconds,
        "blockedIpRanges": list(policy.blocked_ranges),
    }


def _change(tenant: str, as_json: bool, **changes: Any) -> None:
    owner = get_tenant(tenant)
    try:
        policy = services().lockout.set_policy(owner.id, ctx=cli_audit(), **changes)
    except LockoutError as exc:
        raise fail(str(exc)) from exc
    view = lockout_view(policy)
    print_json(view) if as_json else print_record(view)


@app.command("set")
def set_(
    tenant: str = TENANT_OPTION,
    threshold: int | None = typer.Option(None, "--threshold", help="Failed attempts before a lockout (1–100)."),
    duration_seconds: int | None = typer.Option(
        None, "--duration-seconds", help="First lockout's length in seconds (5–86400); repeats double it."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Change the lockout threshold and duration; what is not given stays as it is. Audited."""
    if threshold is None and duration_seconds is None:
        raise fail("nothing to change: give --threshold N and/or --duration-seconds S")
    _change(tenant, as_json, threshold=threshold, duration_seconds=duration_seconds)


@app.command("block-ip")
def block_ip(tenant: str = TENANT_OPTION, cidr: list[str] = CIDR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Refuse every password sign-in from these ranges with AADSTS50053. Audited."""
    _change(tenant, as_json, block=tuple(cidr))


@app.command("unblock-ip")
def unblock_ip(tenant: str = TENANT_OPTION, cidr: list[str] = CIDR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Stop blocking these ranges. Audited."""
    _change(tenant, as_json, unblock=tuple(cidr))


@app.command("show")
def show(tenant: str = TENANT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show the tenant's smart lockout settings (Entra's defaults when it set none)."""
    owner = get_tenant(tenant)
    view = lockout_view(services().lockout.policy_for(owner.id))
    print_json(view) if as_json else print_record(view)
