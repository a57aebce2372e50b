"""`tenantry tenant password-policy set|show`: the tenant's password expiry and custom banned passwords
(entra-reference §5.2, §5.4).

Passwords never expire unless `--expire-days N` is set (Entra's default for new tenants; Graph's
`domain.passwordValidityPeriodInDays`); `--banned-add`/`--banned-remove` edit the tenant's custom banned
list, which adds to the global one.
"""

from __future__ import annotations

from typing import Any

import typer

from tenantry.cli.common import get_tenant
from tenantry.cli.context import cli_audit, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record
from tenantry.directory.models import PasswordPolicy
from tenantry.passwords.service import PasswordPolicyError

app = typer.Typer(help="The tenant's password policy (expiry, custom banned passwords).", no_args_is_help=True)

TENANT_OPTION = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain.")


def password_policy_view(policy: PasswordPolicy) -> dict[str, Any]:
    """The policy with Graph's names: `passwordValidityPeriodInDays` (null: never expires) and the custom
    `bannedPasswordList`."""
    return {
        "tenantId": policy.tenant_id,
        "passwordValidityPeriodInDays": policy.validity_days,
        "passwordsNeverExpire": policy.validity_days is None,
        "bannedPasswordList": list(policy.banned_terms),
    }


@app.command("set")
def set_(
    tenant: str = TENANT_OPTION,
    expire_days: int | None = typer.Option(
        None, "--expire-days", help="Passwords expire this many days after they were set (1–730)."
    ),
    never_expire: bool = typer.Option(False, "--never-expire", help="Passwords never expire (the default)."),
    banned_add: list[str] = typer.Option([], "--banned-add", help="Add a custom banned term (4–16 chars); repeat."),
    banned_remove: list[str] = typer.Option([], "--banned-remove", help="Remove a custom banned term; repeat."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Change the tenant's password policy; what is not given stays as it is. Audited."""
    if expire_days is not None and never_expire:
        raise fail("usage error: --expire-days N | --never-expire")
    if expire_days is None and not never_expire and not banned_add and not banned_remove:
        raise fail("nothing to change: give --expire-days N, --never-expire, --banned-add or --banned-remove")
    owner = get_tenant(tenant)
    try:
        policy = services().password_policies.set_policy(
            owner.id,
            validity_days=expire_days,
            never_expire=never_expire,
            banned_add=banned_add,
            banned_remove=banned_remove,
            audit=cli_audit(),
        )
    except PasswordPolicyError as exc:
        raise fail(str(exc)) from exc
    view = password_policy_view(policy)
    print_json(view) if as_json else print_record(view)


@app.command("show")
def show(tenant: str = TENANT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show the tenant's password policy (Entra's defaults when it set none)."""
    owner = get_tenant(tenant)
    view = password_policy_view(services().password_policies.policy_for(owner.id))
    print_json(view) if as_json else print_record(view)
