"""`tenantry app credential reset|list|delete`, with `az ad app credential` semantics (entra-reference §4.5).

`reset` adds a secret (or, with `--cert`/`--create-cert`, a certificate); without `--append` the old ones
of that kind are removed first. Its output is az's `{"appId", "password", "tenant"}`; with `--share-link`
the secret (or created key and certificate) goes into a one-time link and the output shows the link
instead, so the value never lands in a terminal log or a ticket.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import typer

from tenantry.apps.models import Application
from tenantry.cli.common import get_app, parse_duration
from tenantry.cli.context import base_url, cli_audit, lifecycle, services
from tenantry.cli.output import JSON_OPTION, err_console, fail, print_json, print_table
from tenantry.cli.views import iso, key_view, password_view
from tenantry.credentials.certificates import CertificateFormatError
from tenantry.credentials.service import CredentialError, secret_end

app = typer.Typer(help="Manage an app's secrets and certificates.", no_args_is_help=True)

ID_OPTION = typer.Option(..., "--id", help="appId, object id or App ID URI.")
PROTECT = "The output includes a credential you must protect. It is shown only once and is not stored."


def _parse_end_date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise fail(f"--end-date '{value}' is not an ISO 8601 date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _write_private_file(path: Path, text: str) -> Path:
    """Create `path` readable by the current user only (0600), refusing to overwrite, like az does."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
    return path.resolve()


def _default_cert_file(target: Application) -> Path:
    stamp = services().clock.now().strftime("%Y%m%d%H%M%S")
    return Path.cwd() / f"tenantry-{target.app_id[:8]}-{stamp}.pem"


def _share(target: Application, key_id: str, value: str, ttl: timedelta) -> dict[str, Any]:
    link = lifecycle().share_links.create_share_link(
        target, key_id, value, base_url=base_url(), ttl=ttl, audit=cli_audit()
    )
    return {"shareLink": link.url, "shareLinkExpiresDateTime": iso(link.expires_at)}


@app.command("reset")
def reset(
    app_id: str = ID_OPTION,
    append: bool = typer.Option(False, "--append", help="Keep the existing credentials."),
    display_name: str = typer.Option("", "--display-name", help="Name of the new credential."),
    years: int | None = typer.Option(None, "--years", help="Validity in years (default 1)."),
    days: int | None = typer.Option(None, "--days", help="Portal lifetime preset: 90, 180, 365, 545 or 730 days."),
    end_date: str | None = typer.Option(None, "--end-date", help="End of validity (ISO 8601): a custom lifetime."),
    cert: Path | None = typer.Option(None, "--cert", help="Add this public certificate (PEM, DER or base64) instead."),
    create_cert: bool = typer.Option(
        False, "--create-cert", help="Create a self-signed certificate; its private key is handed out once."
    ),
    cert_file: Path | None = typer.Option(
        None, "--cert-file", help="Where --create-cert writes key + certificate (0600; default: ./tenantry-….pem)."
    ),
    share_link: bool = typer.Option(
        False, "--share-link", help="Put the new secret (or created key) behind a one-time link instead of printing it."
    ),
    link_ttl: str = typer.Option("24h", "--link-ttl", help="How long the share link stays valid (e.g. 24h, 7d)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a new secret (shown once) or certificate; without --append the old ones of that kind are removed."""
    svc = services()
    target = get_app(app_id)
    ttl = parse_duration(link_ttl, "h", "--link-ttl")
    if cert is not None and (create_cert or share_link):
        raise fail(
            "usage error: --cert uploads a public certificate; it cannot be combined with --create-cert or --share-link"
        )
    result: dict[str, Any] = {"appId": target.app_id}
    try:
        end = secret_end(svc.clock.now(), years, _parse_end_date(end_date), days=days)
        if cert is not None:
            svc.credentials.add_certificate(
                target, cert.read_bytes(), display_name=display_name, append=append, audit=cli_audit()
            )
        elif create_cert:
            result |= _create_cert(target, display_name, append, end, cert_file, ttl if share_link else None)
        else:
            new = svc.credentials.reset_secret(
                target, append=append, display_name=display_name, end=end, audit=cli_audit()
            )
            if share_link:
                result |= _share(target, new.credential.key_id, new.secret_text, ttl)
            else:
                result["password"] = new.secret_text
    except (CredentialError, CertificateFormatError, OSError) as exc:
        raise fail(str(exc)) from exc
    result["tenant"] = target.tenant_id
    if "password" in result or "fileWithCertAndPrivateKey" in result:
        err_console.print(f"[yellow]{PROTECT}[/]")
    if as_json:
        print_json(result)
    else:
        print_table("Credential", tuple(result), [tuple(result.values())])


def _create_cert(
    target: Application, display_name: str, append: bool, end: datetime, cert_file: Path | None, ttl: timedelta | None
) -> dict[str, Any]:
    """`--create-cert`: register a new self-signed certificate; hand its key over by file (0600) or link."""
    path = None if ttl is not None else cert_file or _default_cert_file(target)
    if path is not None and path.exists():
        raise CredentialError(f"{path} already exists; choose another --cert-file")
    made = services().credentials.create_certificate(
        target, display_name=display_name, end=end, append=append, audit=cli_audit()
    )
    if ttl is not None:
        return _share(target, made.credential.key_id, made.combined_pem, ttl)
    assert path is not None
    return {"fileWithCertAndPrivateKey": str(_write_private_file(path, made.combined_pem))}


@app.command("list")
def list_(
    app_id: str = ID_OPTION,
    cert: bool = typer.Option(False, "--cert", help="List certificates instead of secrets."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List credentials (never their values) with their status; expired ones stay listed until deleted."""
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
    if not services().credentials.delete_credential(target, key_id, audit=cli_audit()):
        raise fail(f"No credential found with keyId as '{key_id}' in application '{target.app_id}'.")
    if as_json:
        print_json({"deleted": key_id})
    else:
        typer.echo(f"Deleted {key_id}.")
