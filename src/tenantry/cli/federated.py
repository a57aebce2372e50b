"""`tenantry app federated-credential create|list|delete`: the external issuers an app trusts, shaped like
`az ad app federated-credential` (workload identity federation; `credentials/federated.py`)."""

from __future__ import annotations

from typing import Any

import typer

from tenantry.cli.common import get_app
from tenantry.cli.context import cli_audit, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_table
from tenantry.credentials.federated import FederatedCredential, FederatedCredentialError, FederatedCredentialInput

app = typer.Typer(help="Manage the federated identity credentials of an app registration.", no_args_is_help=True)
ID_OPTION = typer.Option(..., "--id", help="appId, object id or App ID URI.")


def credential_view(credential: FederatedCredential) -> dict[str, Any]:
    """Graph `federatedIdentityCredential`."""
    return {
        "id": credential.id,
        "name": credential.name,
        "issuer": credential.issuer,
        "subject": credential.subject,
        "audiences": list(credential.audiences),
        "description": credential.description or None,
    }


@app.command("create")
def create(
    app_id: str = ID_OPTION,
    name: str = typer.Option(..., "--name", help="Unique in the app; 1–120 characters, none of / \\ : ? # %."),
    issuer: str = typer.Option(..., "--issuer", help="The external issuer's URL, exactly as its tokens' iss."),
    subject: str = typer.Option(..., "--subject", help="The tokens' sub, compared case-sensitively."),
    audience: str | None = typer.Option(None, "--audience", help="Default: api://AzureADTokenExchange."),
    description: str | None = typer.Option(None, "--description"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Trust the issuer's tokens for this subject as the app's credential (audited)."""
    target = get_app(app_id)
    audiences = [audience] if audience is not None else None
    wanted = FederatedCredentialInput(name, issuer, subject, audiences, description)
    try:
        created = services().federated_credentials.add(target, wanted, ctx=cli_audit())
    except FederatedCredentialError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(credential_view(created))
        return
    print_table("Federated credential created", ("id", "name", "issuer", "subject"), [_row(created)])


def _row(credential: FederatedCredential) -> tuple[str, str, str, str]:
    return credential.id, credential.name, credential.issuer, credential.subject


@app.command("list")
def list_credentials(app_id: str = ID_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The app's federated credentials, oldest first."""
    found = services().federated_credentials.list(get_app(app_id))
    if as_json:
        print_json([credential_view(c) for c in found])
        return
    print_table("Federated credentials", ("id", "name", "issuer", "subject"), [_row(c) for c in found])


@app.command("delete")
def delete(
    app_id: str = ID_OPTION,
    credential: str = typer.Option(..., "--federated-credential-id", help="The credential's id or name."),
) -> None:
    """Stop trusting the issuer's tokens for that subject (audited)."""
    try:
        gone = services().federated_credentials.delete(get_app(app_id), credential, ctx=cli_audit())
    except FederatedCredentialError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"Deleted federated credential {gone.name} ({gone.id}).")
