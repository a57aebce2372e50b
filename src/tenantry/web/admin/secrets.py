"""Certificates & secrets (seed 002): the *Client secrets* and *Certificates* tabs, *New client secret*,
the value shown once, *Create one-time link*, and delete (of a secret or a certificate) with a confirmation
page; uploading and creating certificates is `app_certificates`.

The new value exists only in the answer to the POST that made it (never stored, never in a URL, never
redirected to): a reload or a later visit shows its first characters at most, as the portal does.
Changing credentials is `CallerRights.check_app_management(APP_CREDENTIALS, …)`, with the privileged-access
guard, as Graph's `addPassword` and `removePassword` check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.apps.models import Application
from tenantry.credentials.errors import CredentialError, CredentialPolicyError
from tenantry.credentials.models import KeyCredential, PasswordCredential
from tenantry.credentials.policy import PORTAL_LIFETIME_DAYS, RECOMMENDED_LIFETIME_DAYS, lifetime_days, preset_lifetime
from tenantry.credentials.status import credential_status
from tenantry.directory.authorization import Action, AuthorizationError
from tenantry.web.admin.apps import app_of, word
from tenantry.web.admin.call import AdminCall, admin_call
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.views import NO_STORE

CUSTOM = "custom"
MAX_DESCRIPTION = 256
EXPIRES_CHOICES = (
    *(
        (str(d), f"{d} days" + (" (recommended)" if d == RECOMMENDED_LIFETIME_DAYS else ""))
        for d in PORTAL_LIFETIME_DAYS
    ),
    (CUSTOM, "Custom"),
)


@dataclass(frozen=True)
class NewSecretForm:
    """What *New client secret* asked for."""

    description: str
    start: datetime
    end: datetime
    share_link: bool


class FormProblemError(ValueError):
    """A field the administrator must correct; shown beside the form."""


def check_management(call: AdminCall, app: Application, action: Action = Action.APP_CREDENTIALS) -> None:
    """Graph's rule for `addPassword`/`removePassword` (`APP_CREDENTIALS`) and `owners/$ref` (`APP_OWNERS`):
    the action, and more when the app holds privileged access and the caller does not own it
    (`CallerRights.check_app_management`)."""
    privileged = not call.rights.owns(app.id) and call.deps.apps.holds_privileged_access(app)
    call.rights.check_app_management(action, app.id, privileged=privileged)


def _day(value: str, name: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
    except ValueError as exc:
        raise FormProblemError(f"Enter the {name} date as YYYY-MM-DD.") from exc


def read_new_secret(fields: dict[str, str], now: datetime) -> NewSecretForm:
    """The form's fields, or `FormProblemError`: a preset starts now; Custom needs a start and a later end."""
    description = fields.get("description", "").strip()[:MAX_DESCRIPTION]
    expires = fields.get("expires", str(RECOMMENDED_LIFETIME_DAYS))
    share = fields.get("deliver") == "link"
    if expires != CUSTOM:
        try:
            return NewSecretForm(description, now, now + preset_lifetime(int(expires)), share)
        except (ValueError, CredentialError) as exc:
            raise FormProblemError("Choose one of the offered lifetimes.") from exc
    start = _day(fields.get("start", ""), "start") if fields.get("start") else now
    end = _day(fields.get("end", ""), "end")
    if end <= max(start, now):
        raise FormProblemError("The end date must be after the start date and in the future.")
    return NewSecretForm(description, start, end, share)


def _tab_values(call: AdminCall, app: Application) -> dict[str, object]:
    now = call.deps.clock.now()
    secrets, certificates = call.deps.credentials.list_credentials(app)
    policy = call.deps.credentials.find_policy(call.tenant_id)
    return {
        "app": app,
        "secrets": [(s, word(credential_status(s.start, s.end, now))) for s in secrets],
        "certificates": [(c, word(credential_status(c.start, c.end, now))) for c in certificates],
        "choices": EXPIRES_CHOICES,
        "recommended": str(RECOMMENDED_LIFETIME_DAYS),
        "max_days": lifetime_days(policy),
        "tab": "credentials",
    }


async def tab_page(call: AdminCall, app: Application, extra: dict[str, object], status: int = 200) -> Response:
    values = await to_thread.run_sync(_tab_values, call, app)
    which = "certificates" if call.request.query_params.get("tab") == "certificates" else "secrets"
    title = f"Certificates & secrets - {app.display_name}"
    return call.page("admin/apps/credentials.html", {"title": title, "which": which, **values, **extra}, status=status)


async def app_call(deps: AdminDeps, request: Request) -> tuple[AdminCall, Application] | Response:
    call = await admin_call(request, deps)
    if isinstance(call, Response):
        return call
    app = await app_of(call, request.path_params["id"])
    return app if isinstance(app, Response) else (call, app)


async def show(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}/credentials[?tab=certificates]."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    return await tab_page(*found, {})


def _create(call: AdminCall, app: Application, wanted: NewSecretForm) -> dict[str, object]:
    new = call.deps.credentials.add_secret(app, wanted.description, wanted.end, start=wanted.start, audit=call.audit)
    if not wanted.share_link:
        return {"secret": new.credential, "value": new.secret_text}
    link = call.deps.share_links.create_share_link(
        app, new.credential.key_id, new.secret_text, base_url=call.base_url, ttl=timedelta(hours=24), audit=call.audit
    )
    return {"secret": new.credential, "link": link}


async def add(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/credentials/secrets: the answer itself shows the value (or the link), once."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        check_management(call, app)
        wanted = read_new_secret(fields, call.deps.clock.now())
        made = await to_thread.run_sync(_create, call, app, wanted)
    except AuthorizationError as err:
        return call.refused(err)
    except CredentialPolicyError as err:
        return await tab_page(call, app, {"problem": str(err), "problem_code": err.code, "form": fields}, 400)
    except (FormProblemError, CredentialError) as err:
        return await tab_page(call, app, {"problem": str(err), "form": fields}, 400)
    values = {"title": "Client secret added", "app": app, "tab": "credentials", **made}
    return call.page("admin/apps/secret_added.html", values)


def _credential(call: AdminCall, app: Application, key_id: str) -> PasswordCredential | KeyCredential | None:
    """A client secret or certificate of the app (a certificate under the rule of Entra's PATCH of
    `keyCredentials`: `APP_CREDENTIALS` with the guard, no proof; see `app_certificates`)."""
    secrets, certificates = call.deps.credentials.list_credentials(app)
    every: list[PasswordCredential | KeyCredential] = [*secrets, *certificates]
    return next((c for c in every if c.key_id == key_id), None)


async def confirm_delete(deps: AdminDeps, request: Request) -> Response:
    """GET /admin/apps/{id}/credentials/{key_id}/delete: "Delete this client secret (or certificate)?" with Delete
    and Cancel."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    credential = await to_thread.run_sync(_credential, call, app, request.path_params["key_id"])
    if credential is None:
        return await tab_page(call, app, {"problem": "That credential no longer exists."}, 404)
    values = {"title": "Delete credential", "app": app, "credential": credential}
    return call.page("admin/apps/delete.html", values | {"certificate": isinstance(credential, KeyCredential)})


async def delete(deps: AdminDeps, request: Request) -> Response:
    """POST …/delete: the credential stops working at once; back to the list (303)."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        check_management(call, app)
    except AuthorizationError as err:
        return call.refused(err)
    gone = await to_thread.run_sync(_credential, call, app, request.path_params["key_id"])
    if gone is None:
        return await tab_page(call, app, {"problem": "That credential no longer exists."}, 404)
    await to_thread.run_sync(lambda: deps.credentials.delete_credential(app, gone.key_id, audit=call.audit))
    tab = "?tab=certificates" if isinstance(gone, KeyCredential) else ""
    return RedirectResponse(f"/admin/apps/{app.id}/credentials{tab}", status_code=303, headers=NO_STORE)
