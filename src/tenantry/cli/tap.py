"""`tenantry user tap create`: issue a Temporary Access Pass (issue 12 §3), as Graph's
`POST /users/{id}/authentication/temporaryAccessPassMethods` does. The pass is printed once and stored only
as a hash; the user types it in the password field at sign-in and then sets up an authenticator app.
`tenantry user mfa set|show`: the per-user MFA state (Graph `users/{id}/authentication/requirements`).
"""

from __future__ import annotations

import typer

from tenantry.cli.context import cli_audit, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record
from tenantry.cli.user import _by_id
from tenantry.cli.views import iso
from tenantry.sessions.mfa import TAP_DEFAULT_MINUTES, MethodType
from tenantry.sessions.mfa_admin import AuthMethodError

app = typer.Typer(help="Temporary Access Passes.", no_args_is_help=True)
mfa_app = typer.Typer(help="Per-user MFA: require an authenticator app at sign-in.", no_args_is_help=True)
ID_OPTION = typer.Option(..., "--id", help="The user's object id (any tenant) or userPrincipalName.")


@app.command("create")
def create(
    reference: str = ID_OPTION,
    minutes: int = typer.Option(TAP_DEFAULT_MINUTES, "--minutes", help="Lifetime: 10 to 43200 minutes."),
    once: bool = typer.Option(False, "--once", help="Usable for one sign-in only."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Issue a pass (replacing an older one); audited as "Admin registered security info"."""
    found = _by_id(reference)
    try:
        issued = services().auth_methods.issue_pass(found, ctx=cli_audit(), lifetime_minutes=minutes, usable_once=once)
    except AuthMethodError as exc:
        raise fail(str(exc)) from exc
    method = issued.method
    record = {
        "id": method.id,
        "userPrincipalName": found.user_principal_name,
        "temporaryAccessPass": issued.value,
        "startDateTime": iso(method.start or method.created_at),
        "lifetimeInMinutes": method.lifetime_minutes,
        "isUsableOnce": method.usable_once,
    }
    if as_json:
        print_json(record)
        return
    print_record(record)


@mfa_app.command("set")
def mfa_set(
    reference: str = ID_OPTION,
    state: str = typer.Option(..., "--state", help="disabled | enabled | enforced"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Require a second factor at the user's sign-ins (`enabled`/`enforced`: a user without an authenticator
    app sets one up after the password) or not (`disabled`); audited as "Update user"."""
    user = _by_id(reference)
    try:
        services().auth_methods.set_mfa_state(user, state, ctx=cli_audit())
    except AuthMethodError as exc:
        raise fail(str(exc)) from exc
    mfa_show(reference, as_json)


@mfa_app.command("show")
def mfa_show(reference: str = ID_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The user's per-user MFA state and whether an authenticator app is registered."""
    user = _by_id(reference)
    methods = services().auth_methods.list_methods(user)
    record = {
        "userPrincipalName": user.user_principal_name,
        "perUserMfaState": services().auth_methods.mfa_state(user),
        "authenticatorApp": any(m.type is MethodType.SOFTWARE_OATH for m in methods),
    }
    if as_json:
        print_json(record)
        return
    print_record(record)
