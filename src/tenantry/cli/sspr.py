"""`tenantry tenant sspr set|show`: the tenant's self-service password reset settings (entra-reference §5.5).

Scope `off` (default), `all`, or `group` (the direct members of `--group`); 1 or 2 methods to reset;
which methods count (email, mobileAppCode, securityQuestions); 3–5 questions to register and to reset;
whether users in scope must register at sign-in (the interrupt), re-confirmation and "Remind me later" in
days; whether Global Administrators are told when an administrator resets their password. Administrators
always need two methods and never use security questions.
"""

from __future__ import annotations

from typing import Any

import typer

from tenantry.cli.common import get_tenant
from tenantry.cli.context import cli_audit, services
from tenantry.cli.output import JSON_OPTION, fail, print_json, print_record
from tenantry.sessions.sspr.models import SsprMethod, SsprPolicy, SsprScope
from tenantry.sessions.sspr.policy import SsprPolicyError

app = typer.Typer(help="The tenant's self-service password reset settings.", no_args_is_help=True)

TENANT_OPTION = typer.Option(..., "--tenant", "-t", help="Tenant id or verified domain.")


def sspr_view(policy: SsprPolicy) -> dict[str, Any]:
    """The settings under the names of Entra's "Password reset" blade."""
    return {
        "tenantId": policy.tenant_id,
        "enabled": str(policy.scope),
        "groupId": policy.group_id,
        "numberOfMethodsRequired": policy.methods_required,
        "methods": list(policy.methods),
        "questionsToRegister": policy.questions_to_register,
        "questionsToReset": policy.questions_to_reset,
        "requireRegistration": policy.require_registration,
        "reconfirmDays": policy.reconfirm_days,
        "skipDays": policy.skip_days,
        "notifyAdmins": policy.notify_admins,
    }


def _methods(value: str | None) -> tuple[SsprMethod, ...] | None:
    if value is None:
        return None
    try:
        return tuple(dict.fromkeys(SsprMethod(m.strip()) for m in value.split(",") if m.strip()))
    except ValueError as exc:
        raise fail(f"--allowed takes {', '.join(SsprMethod)} (comma-separated)") from exc


def _scope(value: str | None) -> SsprScope | None:
    if value is None:
        return None
    try:
        return SsprScope(value)
    except ValueError as exc:
        raise fail("--enabled is off, all or group") from exc


@app.command("set")
def set_(
    tenant: str = TENANT_OPTION,
    enabled: str | None = typer.Option(None, "--enabled", help="off | all | group"),
    group: str | None = typer.Option(None, "--group", help="The group's object id (with --enabled group)."),
    methods: int | None = typer.Option(None, "--methods", help="Methods required to reset: 1 or 2."),
    allowed: str | None = typer.Option(None, "--allowed", help="email,mobileAppCode,securityQuestions"),
    questions_register: int | None = typer.Option(None, "--questions-to-register", help="3–5."),
    questions_reset: int | None = typer.Option(None, "--questions-to-reset", help="3–5, at most to register."),
    require_registration: bool | None = typer.Option(
        None, "--require-registration/--no-require-registration", help="Ask users in scope to register at sign-in."
    ),
    reconfirm_days: int | None = typer.Option(None, "--reconfirm-days", help="0 (never) to 730."),
    skip_days: int | None = typer.Option(None, "--skip-days", help="'Remind me later' lasts this many days (0–90)."),
    notify_admins: bool | None = typer.Option(
        None, "--notify-admins/--no-notify-admins", help="Mail Global Administrators when an admin resets."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Change the settings; what is not given stays as it is. Audited."""
    owner = get_tenant(tenant)
    changes = {
        "scope": _scope(enabled),
        "group_id": group,
        "methods_required": methods,
        "methods": _methods(allowed),
        "questions_to_register": questions_register,
        "questions_to_reset": questions_reset,
        "require_registration": require_registration,
        "reconfirm_days": reconfirm_days,
        "skip_days": skip_days,
        "notify_admins": notify_admins,
    }
    try:
        policy = services().sspr_policies.set_policy(owner.id, cli_audit(), **changes)
    except SsprPolicyError as exc:
        raise fail(str(exc)) from exc
    view = sspr_view(policy)
    print_json(view) if as_json else print_record(view)


@app.command("show")
def show(tenant: str = TENANT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show the settings (SSPR off when the tenant never set any)."""
    owner = get_tenant(tenant)
    view = sspr_view(services().sspr_policies.policy_for(owner.id))
    print_json(view) if as_json else print_record(view)
