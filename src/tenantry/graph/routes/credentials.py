"""Credential actions on an application (entra-reference §4.3): `addPassword` (the only answer that ever
holds `secretText`), `removePassword`, `addKey`, `removeKey`, and Tenantry's `tenantry.addPasswordShareLink`.

Several secrets and certificates may be valid at once, so a client rotates without downtime: add, switch,
remove. `addKey`/`removeKey` need a `proof` signed by a currently valid certificate of the app when it has
one (an app holding such a proof may roll its own keys without any permission); an app with no valid
certificate may add its first one with the ordinary rights alone (Graph would send it to PATCH instead).
"""

# No `from __future__ import annotations`: FastAPI must see the dependencies the route factory closes over.

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from tenantry.apps.models import Application
from tenantry.credentials.models import KeyCredential, NewSecret
from tenantry.directory.authorization import Action
from tenantry.graph.auth import Call, CallDep
from tenantry.graph.errors import NOT_FOUND, GraphError, bad_request
from tenantry.graph.listing import context_url
from tenantry.graph.proof import ProofError, check_proof
from tenantry.graph.responses import GraphJson
from tenantry.graph.routes.common import (
    application_by_app_id,
    application_by_id,
    check_app_management,
    no_content,
    ok,
)
from tenantry.graph.schemas.applications import (
    KeyCredentialResource,
    PasswordCredentialResource,
    ShareLinkResource,
    key_view,
    password_view,
)
from tenantry.graph.schemas.common import graph_datetime
from tenantry.graph.schemas.inputs import (
    AddKeyInput,
    AddPasswordInput,
    PasswordCredentialInput,
    RemoveKeyInput,
    RemovePasswordInput,
    ShareLinkInput,
)

router = APIRouter(tags=["applications"])
DEFAULT_YEARS = 2  # Graph's addPassword default lifetime (entra-reference §4.3)


def _utc(value: datetime | None) -> datetime | None:
    """Graph's date/times are UTC; a value without an offset is read as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _years_after(start: datetime, years: int) -> datetime:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def _add_secret(call: Call, app: Application, body: PasswordCredentialInput | None) -> NewSecret:
    """Create the secret Graph's way: start now, end start + 2 years unless given; policy checked inside."""
    wanted = body or PasswordCredentialInput()
    start = _utc(wanted.start_date_time) or call.deps.clock.now()
    end = _utc(wanted.end_date_time) or _years_after(start, DEFAULT_YEARS)
    if end <= start:
        raise bad_request("Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.")
    return call.deps.credentials.add_secret(app, wanted.display_name or "", end, start=start, audit=call.audit)


def _certificate_bytes(key: str) -> bytes:
    """`key` is base64 of the certificate (DER, or PEM text); anything else goes to the parser as it is."""
    try:
        return base64.b64decode(key.strip(), validate=True)
    except (binascii.Error, ValueError):
        return key.encode("utf-8", errors="replace")


def _check_key_rights(call: Call, app: Application, proof: str | None) -> None:
    """With a valid certificate on the app, a proof signed by one is required; a proven app may roll its own keys."""
    deps = call.deps
    now = deps.clock.now()
    valid = [c for c in deps.credentials.list_credentials(app)[1] if c.is_active(now)]
    if valid:
        try:
            check_proof(proof, valid, app.id, now, deps.clock_skew)
        except ProofError as exc:
            raise bad_request(f"Invalid proof: {exc}") from exc
        if call.caller.caller.is_app and call.caller.client_app_id == app.app_id:
            return
    check_app_management(call, Action.APP_CREDENTIALS, app)


def _find_key(call: Call, app: Application, key_id: str) -> KeyCredential | None:
    return next((c for c in call.deps.credentials.list_credentials(app)[1] if c.key_id == key_id), None)


def add_credential_routes(path: str, lookup: Callable[..., Application], suffix: str) -> None:
    """The credential actions on one application addressed by `path`."""
    target = Annotated[Application, Depends(lookup)]

    @router.post(
        f"{path}/addPassword",
        responses=ok(PasswordCredentialResource, description="The new secret; `secretText` is shown only here."),
        operation_id=f"applications_addPassword{suffix}",
        summary="Add a client secret (several may be valid at once, so rotation needs no downtime).",
    )
    def add_password(app: target, call: CallDep, body: Annotated[AddPasswordInput | None, Body()] = None) -> Response:
        """Graph `addPassword`: the answer is the only place the secret's value ever appears."""
        check_app_management(call, Action.APP_CREDENTIALS, app)
        new = _add_secret(call, app, body.password_credential if body else None)
        view = password_view(new.credential, call.deps.clock.now(), secret_text=new.secret_text)
        context = context_url(call.base_url, "microsoft.graph.passwordCredential")
        return GraphJson({"@odata.context": context, **view.wire()})

    @router.post(
        f"{path}/tenantry.addPasswordShareLink",
        responses=ok(ShareLinkResource, description="The new secret's metadata and a link that reveals it once."),
        operation_id=f"applications_addPasswordShareLink{suffix}",
        summary="Tenantry extension: add a client secret and hand it over through a one-time link.",
    )
    def add_password_share_link(
        app: target, call: CallDep, body: Annotated[ShareLinkInput | None, Body()] = None
    ) -> Response:
        """Tenantry extension: the new secret is sealed behind a link that reveals it exactly once."""
        check_app_management(call, Action.APP_CREDENTIALS, app)
        wanted = body or ShareLinkInput()
        new = _add_secret(call, app, wanted.password_credential)
        ttl = timedelta(minutes=wanted.ttl_minutes)
        link = call.deps.share_links.create_share_link(
            app, new.credential.key_id, new.secret_text, base_url=call.deps.public_url, ttl=ttl, audit=call.audit
        )
        view = password_view(new.credential, call.deps.clock.now())
        context = context_url(call.base_url, "microsoft.graph.passwordCredential")
        shared = {"tenantryShareLink": link.url, "tenantryShareLinkExpiresDateTime": graph_datetime(link.expires_at)}
        return GraphJson({"@odata.context": context, **view.wire(), **shared})

    @router.post(
        f"{path}/removePassword",
        status_code=204,
        responses=no_content("Removed; a client using it now gets AADSTS7000215."),
        operation_id=f"applications_removePassword{suffix}",
        summary="Remove a client secret by keyId.",
    )
    def remove_password(app: target, body: Annotated[RemovePasswordInput, Body()], call: CallDep) -> Response:
        """Graph `removePassword`: the secret stops working at once."""
        check_app_management(call, Action.APP_CREDENTIALS, app)
        key_id = str(body.key_id)
        if not any(s.key_id == key_id for s in call.deps.credentials.list_credentials(app)[0]):
            raise GraphError(404, NOT_FOUND, f"No password credential found with keyId '{key_id}'.")
        call.deps.credentials.delete_credential(app, key_id, audit=call.audit)
        return Response(status_code=204)

    @router.post(
        f"{path}/addKey",
        responses=ok(KeyCredentialResource, description="The certificate as registered."),
        operation_id=f"applications_addKey{suffix}",
        summary="Add a certificate (a proof by a current certificate is required when the app has one).",
    )
    def add_key(app: target, body: Annotated[AddKeyInput, Body()], call: CallDep) -> Response:
        """Graph `addKey`: a public certificate, with a proof once the app has a valid certificate."""
        wanted = body.key_credential
        if wanted.type != "AsymmetricX509Cert" or wanted.usage != "Verify":
            raise bad_request("Only keyCredentials of type 'AsymmetricX509Cert' with usage 'Verify' can be added.")
        _check_key_rights(call, app, body.proof)
        data = _certificate_bytes(wanted.key)
        name = wanted.display_name or ""
        cert = call.deps.credentials.add_certificate(app, data, display_name=name, audit=call.audit)
        context = context_url(call.base_url, "microsoft.graph.keyCredential")
        return GraphJson({"@odata.context": context, **key_view(cert, call.deps.clock.now()).wire()})

    @router.post(
        f"{path}/removeKey",
        status_code=204,
        responses=no_content("Removed; assertions signed with it now get AADSTS700027."),
        operation_id=f"applications_removeKey{suffix}",
        summary="Remove a certificate by keyId (with a proof when the app has a valid certificate).",
    )
    def remove_key(app: target, body: Annotated[RemoveKeyInput, Body()], call: CallDep) -> Response:
        """Graph `removeKey`: with the same proof rule as `addKey`."""
        key_id = str(body.key_id)
        if _find_key(call, app, key_id) is None:
            raise GraphError(404, NOT_FOUND, f"No key credential found with keyId '{key_id}'.")
        _check_key_rights(call, app, body.proof)
        call.deps.credentials.delete_credential(app, key_id, audit=call.audit)
        return Response(status_code=204)


add_credential_routes("/applications/{id}", application_by_id, "")
add_credential_routes("/applications(appId='{app_id}')", application_by_app_id, "_by_app_id")
