"""`tenantry app credential reset|list|delete`, with `az ad app credential` semantics (entra-reference §4.5)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from tenantry.cli.common import get_app
from tenantry.cli.context import services
from tenantry.cli.output import JSON_OPTION, err_console, fail, print_json, print_table
from tenantry.cli.views import key_view, password_view
from tenantry.credentials.certificates import CertificateFormatError
from tenantry.credentials.service import CredentialError, secret_end

app = typer.Typer(help="Manage an app's secrets and certificates.", no_args_is_help=True)

ID_OPTION = typer.Option(..., "--id", help="appId, object id or App ID URI.")


def _parse_end_date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise fail(f"--end-date '{value}' is not an ISO 8601 date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command("reset")
def reset(
    app_id: str = ID_OPTION,
    append: bool = typer.Option(False, "--append", help="Keep the existing credentials."),
    display_name: str = typer.Option("", "--display-name", help="Name of the new credential."),
    years: int | None = typer.Option(None, "--years", help="Validity in years (default 1)."),
    end_date: str | None = typer.Option(None, "--end-date", help="End of validity (ISO 8601)."),
    cert: Path | None = typer.Option(None, "--cert", help="Add this public certificate (PEM, DER or base64) instead."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a new secret (shown once) or add a certificate; without --append the old ones are removed."""
    svc = services()
    target = get_app(app_id)
    try:
        if cert is not None:
            svc.credentials.add_certificate(target, cert.read_bytes(), display_name=display_name, append=append)
            result: dict[str, str] = {"appId": target.app_id, "tenant": target.tenant_id}
        else:
            end = secret_end(svc.clock.now(), years, _parse_end_date(end_date))
            new = svc.credentials.reset_secret(target, append=append, display_name=display_name, end=end)
            result = {"appId": target.app_id, "password": new.secret_text, "tenant": target.tenant_id}
    except (CredentialError, CertificateFormatError, OSError) as exc:
        raise fail(str(exc)) from exc
    if "password" in result:
        err_console.print(
            "[yellow]The output includes a credential you must protect. It is shown only once and is not stored.[/]"
        )
    if as_json:
        print_json(result)
    else:
        print_table("Credential", tuple(result), [tuple(result.values())])


@app.command("list")
def list_(
    app_id: str = ID_OPTION,
    cert: bool = typer.Option(False, "--cert", help="List certificates instead of secrets."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List credentials (never their values) with their status."""
    svc = services()
    secrets, certs = svc.credentials.list_credentials(get_app(app_id))
    now = svc.clock.now()
    views = [key_view(c, now) for c in certs] if cert else [password_view(s, now) for s in secrets]
    if as_json:
        print_json(views)
        return
    columns = ("keyId", "displayName", "customKeyIdentifier" if cert else "hint", "endDateTime", "status")
    print_table("Certificates" if cert else "Secrets", columns, [[v[c] for c in columns] for v in views])


@app.command("delete")
def delete(
    app_id: str = ID_OPTION,
    key_id: str = typer.Option(..., "--key-id", help="keyId of the secret or certificate."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Delete one secret or certificate."""
    target = get_app(app_id)
    if not services().credentials.delete_credential(target, key_id):
        raise fail(f"No credential found with keyId as '{key_id}' in application '{target.app_id}'.")
    if as_json:
        print_json({"deleted": key_id})
    else:
        typer.echo(f"Deleted {key_id}.")
