"""`POST /{tenant}/oauth2/v2.0/devicecode`: start a device authorization (RFC 8628 §3.1–3.2; entra-reference
§1.6). The path is fixed: msal-node derives it from the token endpoint (msal-compat §5).

The client must allow public client flows or authenticate as a confidential client (7000218); the scopes
are checked now (parse_user_scopes: 900144, 700022, 70011, 500011) and stored with the code, because MSAL
Python polls without them. Answer: `user_code` (nine upper-case letters and digits), `device_code`
(opaque, stored hashed), `verification_uri` (`<base>/devicelogin`), `expires_in` 900, `interval` 5 and a
`message` for the user (azure-identity prints it). No `verification_uri_complete`, as Entra.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from tenantry.errors import AadstsError
from tenantry.http.body import read_limited_body
from tenantry.http.context import request_context
from tenantry.http.responses import error_response, token_response
from tenantry.protocol.client_auth import AuthenticatedClient
from tenantry.protocol.endpoints.deps import ProtocolDeps
from tenantry.protocol.form import check_content_type, parse_form, require
from tenantry.protocol.grants.base import TokenRequest
from tenantry.protocol.grants.delegated import identify_client, prove_client
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.scopes import parse_user_scopes
from tenantry.protocol.tenancy import resolve_tenant
from tenantry.tokens.models import DeviceCode
from tenantry.tokens.opaque import new_opaque_token, token_hash

DEVICE_CODE_LIFETIME = 900
POLL_INTERVAL = 5
# No vowels (no words), no 0/O or 1/I/L (no misreading): 27 symbols, nine of them ≈ 43 bits.
USER_CODE_ALPHABET = "BCDFGHJKMNPQRSTVWXZ23456789"
USER_CODE_LENGTH = 9


def new_user_code() -> str:
    """A code a person can read off one screen and type on another."""
    return "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))


def device_login_message(verification_uri: str, user_code: str) -> str:
    """What the device shows the user (azure-identity's DeviceCodeCredential prints exactly this)."""
    return f"To sign in, open {verification_uri} in a web browser and enter the code {user_code} to continue."


def _authenticate(deps: ProtocolDeps, request: TokenRequest, unit: StsUnit) -> tuple[AuthenticatedClient, str]:
    """The client (700016, 50194, 7000112), its credential, and the validated scope string."""
    authenticator = deps.client_authenticator
    caller = identify_client(authenticator, request, unit)
    scope = require(request.form, "scope")
    home = request.tenant.tenant or unit.find_tenant(caller.app.tenant_id)
    assert home is not None, "an app always has a home tenant"
    sp = authenticator.service_principal(caller.app, home, unit)
    acr, assertion = prove_client(
        authenticator, request, caller, unit, request.tenant.tenant, public=caller.app.is_public_client
    )
    # On /organizations the user's tenant is only known at approval; resolve resources where the app lives.
    scopes = parse_user_scopes(scope, home, unit)
    return AuthenticatedClient(caller.app, sp, acr, assertion), " ".join(scopes.requested)


def _unused_user_code(unit: StsUnit) -> str:
    for _ in range(8):
        candidate = new_user_code()
        if unit.find_device_code_by_user_code(candidate) is None:
            return candidate
    raise RuntimeError("could not draw an unused user code")


def start_device_flow(
    deps: ProtocolDeps, segment: str, form: Mapping[str, str], authorization: str | None, base_url: str, host: str = ""
) -> dict[str, Any]:
    """Validate in a read transaction, then store the pending code in a write transaction; `verification_uri`
    is on the public URL `base_url`, whatever host the request used (`host`, for a client assertion's `aud`)."""
    with deps.store.transaction() as unit:
        request = TokenRequest(resolve_tenant(segment, unit), form, authorization, base_url, host=host)
        client, scope = _authenticate(deps, request, unit)
    device_code = new_opaque_token("dc.")
    now = deps.clock.now()
    with deps.store.transaction(write=True) as unit:
        deps.client_authenticator.record_assertion(client, unit)
        user_code = _unused_user_code(unit)
        unit.add_device_code(
            DeviceCode(
                device_code_hash=token_hash(device_code),
                user_code=user_code,
                tenant_segment=segment,
                client_id=client.app.app_id,
                scopes=tuple(scope.split()),
                created_at=now,
                expires_at=now + timedelta(seconds=DEVICE_CODE_LIFETIME),
                interval=POLL_INTERVAL,
            )
        )
    verification_uri = f"{base_url}/devicelogin"
    return {
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": verification_uri,
        "expires_in": DEVICE_CODE_LIFETIME,
        "interval": POLL_INTERVAL,
        "message": device_login_message(verification_uri, user_code),
    }


async def devicecode_endpoint(deps: ProtocolDeps, request: Request) -> Response:
    """Parse the form here; validate and store in a worker thread, like the token endpoint."""
    ctx = request_context(request)
    try:
        check_content_type(request.headers.get("content-type"))
        form = parse_form(await read_limited_body(request, deps.max_body_bytes))
        body = await to_thread.run_sync(
            start_device_flow,
            deps,
            request.path_params["tenant"],
            form,
            request.headers.get("authorization"),
            ctx.base_url,
            request.headers.get("host", ""),
        )
    except AadstsError as err:
        return error_response(err, ctx)
    return token_response(body, ctx)
