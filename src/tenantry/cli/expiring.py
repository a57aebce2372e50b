"""`tenantry credential expiring`: which secrets and certificates end soon, and (with `--notify`) warn now.

Listing never sends anything. `--notify` runs what the server's scheduler runs: one scan, which records
each due warning once per horizon (audited) and queues its webhook and e-mails, then one delivery pass;
deliveries that fail stay in the outbox for the server to retry with back-off.
"""

from __future__ import annotations

from typing import Any

import typer

from tenantry.cli.common import get_tenant, parse_duration
from tenantry.cli.context import lifecycle
from tenantry.cli.output import JSON_OPTION, err_console, print_json, print_table
from tenantry.cli.views import iso
from tenantry.credentials.expiry import ExpiringCredential

app = typer.Typer(help="Credentials across apps: expiry.", no_args_is_help=True)


def expiring_view(credential: ExpiringCredential) -> dict[str, Any]:
    """One expiring credential, Graph-style names plus the app it belongs to."""
    view: dict[str, Any] = {
        "tenantId": credential.tenant_id,
        "appId": credential.app.app_id,
        "appDisplayName": credential.app.display_name,
        "keyId": credential.key_id,
        "type": credential.type,
        "displayName": credential.display_name,
        "endDateTime": iso(credential.end),
        "daysRemaining": credential.days_left,
    }
    if credential.hint is not None:
        view["hint"] = credential.hint
    return view


@app.command("expiring")
def expiring(
    within: str = typer.Option("30d", "--within", help="Window, e.g. 30d, 7d or 12h (a bare number is days)."),
    tenant: str | None = typer.Option(None, "--tenant", "-t", help="Only this tenant."),
    notify: bool = typer.Option(False, "--notify", help="Also warn now: one scan and one delivery pass."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List unexpired secrets and certificates that end within the window, soonest first."""
    window = parse_duration(within, "d", "--within")
    jobs = lifecycle()
    tenant_id = get_tenant(tenant).id if tenant else None
    found = [expiring_view(c) for c in jobs.scanner.list_expiring(window, tenant_id)]
    notified: dict[str, int] = {}
    if notify:
        warned = jobs.scanner.scan()
        report = jobs.outbox.deliver_due()
        notified = {"warningsRecorded": len(warned), "delivered": report.delivered, "failed": report.failed}
    if as_json:
        print_json({"value": found, **({"notification": notified} if notify else {})})
        return
    columns = ("appDisplayName", "appId", "type", "keyId", "endDateTime", "daysRemaining")
    print_table(f"Credentials expiring within {within}", columns, [[v[c] for c in columns] for v in found])
    if notify:
        err_console.print(
            f"{notified['warningsRecorded']} warning(s) recorded; {notified['delivered']} delivered, "
            f"{notified['failed']} failed (retried by the server)."
        )
