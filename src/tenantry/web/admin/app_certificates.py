"""Certificates & secrets > *Certificates*: *Upload certificate* (pasted PEM, or base64 DER) and *New
self-signed certificate*, whose private key is shown once, in the answer to the POST.

The server has no multipart parser (python-multipart is not a dependency), so the certificate is pasted as
text rather than sent as a file. Both forms change `keyCredentials` under the rule of Entra's PATCH of an
application (what the portal sends): `APP_CREDENTIALS` with the privileged-access guard (`check_management`).
Graph's `addKey`/`removeKey`, made for an app rolling its own keys, also ask for a proof signed by a current
certificate; PATCH does not, so neither does this page (Tenantry's Graph PATCH does not take `keyCredentials`
yet). The writes go through `CredentialService`; the key is made by `create_certificate` (the CLI's
`--create-cert`) and never stored.
"""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.models import Application
from tenantry.credentials.certificates import CertificateFormatError
from tenantry.credentials.errors import CredentialError
from tenantry.credentials.policy import preset_lifetime
from tenantry.directory.authorization import AuthorizationError
from tenantry.web.admin.call import AdminCall
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.secrets import MAX_DESCRIPTION, FormProblemError, app_call, check_management, tab_page

CERTIFICATES_TAB = "?tab=certificates"


def _description(fields: dict[str, str]) -> str:
    return fields.get("description", "").strip()[:MAX_DESCRIPTION]


def _lifetime_days(fields: dict[str, str]) -> int:
    """One of the secret's preset lifetimes (no Custom: a created certificate starts now)."""
    try:
        days = int(fields.get("expires", ""))
        preset_lifetime(days)
    except (ValueError, CredentialError) as exc:
        raise FormProblemError("Choose one of the offered lifetimes.") from exc
    return days


async def _problem(call: AdminCall, app: Application, message: str, fields: dict[str, str]) -> Response:
    """The Certificates tab again, the message above it and the form kept (400)."""
    return await tab_page(call, app, {"which": "certificates", "problem": message, "cert_form": fields}, 400)


async def upload(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/credentials/certificates: register the pasted public certificate; back to the tab."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    data = fields.get("certificate", "").strip().encode("utf-8")
    try:
        check_management(call, app)
        if not data:
            raise FormProblemError("Paste the certificate (PEM, beginning with -----BEGIN CERTIFICATE-----).")
        cert = await to_thread.run_sync(
            lambda: deps.credentials.add_certificate(app, data, display_name=_description(fields), audit=call.audit)
        )
    except AuthorizationError as err:
        return call.refused(err)
    except (FormProblemError, CredentialError, CertificateFormatError) as err:
        return await _problem(call, app, _sentence(err), fields)
    values = {"title": "Certificate uploaded", "app": app, "tab": "credentials", "certificate": cert}
    return call.page("admin/apps/certificate_added.html", values)


async def create(deps: AdminDeps, request: Request) -> Response:
    """POST /admin/apps/{id}/credentials/certificates/new: a self-signed certificate; the answer shows its
    private key once (no redirect, no-store), and nothing keeps it."""
    found = await app_call(deps, request)
    if isinstance(found, Response):
        return found
    call, app = found
    fields = await call.form()
    if isinstance(fields, Response):
        return fields
    try:
        check_management(call, app)
        end = deps.clock.now() + preset_lifetime(_lifetime_days(fields))
        made = await to_thread.run_sync(
            lambda: deps.credentials.create_certificate(
                app, display_name=_description(fields), end=end, audit=call.audit
            )
        )
    except AuthorizationError as err:
        return call.refused(err)
    except (FormProblemError, CredentialError, CertificateFormatError) as err:
        return await _problem(call, app, _sentence(err), fields)
    values = {
        "title": "Self-signed certificate created",
        "app": app,
        "tab": "credentials",
        "certificate": made.credential,
        "private_key": made.private_key_pem,
        "certificate_pem": made.certificate_pem,
    }
    return call.page("admin/apps/certificate_added.html", values)


def _sentence(err: Exception) -> str:
    """The service's message as a sentence for the page."""
    text = str(err)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
