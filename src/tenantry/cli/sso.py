"""`tenantry sso …`: a tenant's seamless SSO realms (Entra Connect's "Enable single sign-on" per forest).

`enable` imports the keys of `HTTP/<sso-host>@REALM` from a keytab (made with MIT `kadmin ktadd` or AD
`ktpass`); importing a newer key version rolls over and keeps the previous one. `status` lists realms, key
versions and ages, and warns when the newest key is older than 30 days; key bytes are never printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tenantry.cli.common import get_tenant
from tenantry.cli.context import cli_audit, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record, print_table
from tenantry.cli.views import iso
from tenantry.sso.kerberos import GSSAPI_MISSING, gssapi_available
from tenantry.sso.keytab import KeytabFormatError
from tenantry.sso.models import KEY_ROLLOVER_DAYS, RealmStatus
from tenantry.sso.service import SeamlessSsoError

app = typer.Typer(help="Seamless single sign-on by Kerberos.", no_args_is_help=True)


def realm_view(status: RealmStatus) -> dict[str, Any]:
    """One realm as `status` shows it."""
    return {
        "realm": status.realm,
        "servicePrincipals": list(status.principals),
        "keyVersions": list(status.kvnos),
        "encryptionTypes": list(status.enctypes),
        "importedDateTime": iso(status.imported_at),
        "keyAgeDays": status.age_days,
        "rolloverDue": status.needs_rollover,
    }


@app.command("enable")
def enable(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or domain."),
    realm: str = typer.Option(..., "--realm", "-r", help="Kerberos realm, e.g. CORP.EXAMPLE."),
    keytab: Path = typer.Option(..., "--keytab", help="Keytab holding HTTP/<sso-host>@REALM.", exists=True),
    as_json: bool = JSON_OPTION,
) -> None:
    """Turn seamless SSO on for a realm, or roll its key over (the previous key version stays valid)."""
    found = get_tenant(tenant)
    try:
        status = services().seamless_sso.enable(found.id, realm.strip(), keytab.read_bytes(), cli_audit())
    except (SeamlessSsoError, KeytabFormatError) as exc:
        raise fail(str(exc)) from exc
    print_json(realm_view(status)) if as_json else print_record(realm_view(status))
    if not gssapi_available():
        typer.echo(f"warning: {GSSAPI_MISSING}; until then every SSO attempt falls back (81007)", err=True)


@app.command("disable")
def disable(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or domain."),
    realm: str | None = typer.Option(None, "--realm", "-r", help="Only this realm (default: every realm)."),
) -> None:
    """Turn seamless SSO off: the realm's keys are deleted, and its tickets refused (81007)."""
    removed = services().seamless_sso.disable(get_tenant(tenant).id, realm, cli_audit())
    typer.echo(f"Deleted {removed} key(s)." if removed else "Seamless SSO was not enabled there.")


@app.command("status")
def status(
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant id or domain."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Realms, key versions and key ages; a warning when a key is due for rollover."""
    realms = services().seamless_sso.status(get_tenant(tenant).id)
    if as_json:
        print_json({"realms": [realm_view(r) for r in realms]})
    else:
        rows = [(r.realm, ", ".join(r.principals), ", ".join(map(str, r.kvnos)), r.age_days) for r in realms]
        print_table("Seamless SSO", ("Realm", "Service principals", "Key versions", "Key age (days)"), rows)
    for realm in realms:
        if realm.needs_rollover:
            typer.echo(
                f"warning: the key of {realm.realm} is {realm.age_days} days old; roll it over (every "
                f"{KEY_ROLLOVER_DAYS} days) and import the new keytab with `tenantry sso enable`.",
                err=True,
            )
