"""Helpers of the user-grant suite: grants put straight into the store (as /authorize and /devicelogin
would put them), and readers for token answers and Entra errors."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from grants.world import OIDC, ORDERS_URI, VERIFIER, WEB_REDIRECT, GrantsWorld
from protocol.conftest import BASE_URL, ERROR_KEYS, JSON_UTF8, TIMESTAMP, Client, is_guid
from support.tokens import b64url_decode, decode_unverified, verify_rs256
from tenantry.apps.models import SignInAudience
from tenantry.common.ids import new_guid
from tenantry.directory.models import User
from tenantry.protocol.grants.pkce import challenge_of
from tenantry.tokens.models import AuthorizationCode, DeviceCode, RefreshToken
from tenantry.tokens.opaque import new_opaque_token, token_hash

# --------------------------------------------------------------------------------------------------
# Grants put straight into the store
# --------------------------------------------------------------------------------------------------


def now() -> datetime:
    """The server's clock (the suite's services use the system clock)."""
    return datetime.now(UTC)


def store_code(
    world: GrantsWorld,
    client: Client,
    user: User,
    *,
    redirect_uri: str = WEB_REDIRECT,
    scopes: str = f"{ORDERS_URI}/Orders.Read {OIDC}",
    **fields: Any,
) -> str:
    """An authorization code as /authorize stores it (S256 challenge of `VERIFIER` unless overridden)."""
    value = new_opaque_token("ac.")
    world.sensitive.add(value)
    issued = fields.pop("created_at", now())
    code = AuthorizationCode(
        code_hash=token_hash(value),
        family_id=fields.pop("family_id", new_guid()),
        tenant_id=fields.pop("tenant_id", user.tenant_id),
        client_id=client.client_id,
        user_id=user.id,
        session_id=fields.pop("session_id", new_guid()),
        redirect_uri=redirect_uri,
        scopes=tuple(scopes.split()),
        created_at=issued,
        expires_at=fields.pop("expires_at", issued + timedelta(minutes=10)),
        auth_time=fields.pop("auth_time", issued),
        code_challenge=fields.pop("code_challenge", challenge_of(VERIFIER, "S256")),
        code_challenge_method=fields.pop("code_challenge_method", "S256"),
        **fields,
    )
    with world.services.store.transaction(write=True) as unit:
        unit.add_authorization_code(code)
    return value


def store_refresh_token(world: GrantsWorld, client: Client, user: User, **fields: Any) -> str:
    """A refresh token as the issuer stores it; `created_at`/`expires_at` put it anywhere in time."""
    value = new_opaque_token("rt.")
    world.sensitive.add(value)
    created = fields.pop("created_at", now())
    token_row = RefreshToken(
        token_hash=token_hash(value),
        family_id=fields.pop("family_id", new_guid()),
        tenant_id=user.tenant_id,
        client_id=client.client_id,
        user_id=user.id,
        scopes=tuple(fields.pop("scopes", f"{ORDERS_URI}/Orders.Read {OIDC}").split()),
        created_at=created,
        expires_at=fields.pop("expires_at", created + timedelta(days=90)),
        auth_time=fields.pop("auth_time", created),
        **fields,
    )
    with world.services.store.transaction(write=True) as unit:
        unit.add_refresh_token(token_row)
    return value


def store_device_code(world: GrantsWorld, client: Client, **fields: Any) -> str:
    """A device code in any state; `approved_by` fills tenant, user and auth_time."""
    value = new_opaque_token("dc.")
    world.sensitive.add(value)
    created = fields.pop("created_at", now())
    user: User | None = fields.pop("approved_by", None)
    if user is not None:
        fields = {"status": "approved", "tenant_id": user.tenant_id, "user_id": user.id, "auth_time": created, **fields}
    code = DeviceCode(
        device_code_hash=token_hash(value),
        user_code=fields.pop("user_code", uuid.uuid4().hex[:9].upper()),
        tenant_segment=fields.pop("tenant_segment", world.tenant.id),
        client_id=client.client_id,
        scopes=tuple(fields.pop("scopes", f"{ORDERS_URI}/Orders.Read {OIDC}").split()),
        created_at=created,
        expires_at=fields.pop("expires_at", created + timedelta(seconds=900)),
        interval=fields.pop("interval", 5),
        **fields,
    )
    with world.services.store.transaction(write=True) as unit:
        unit.add_device_code(code)
    return value


def find_device_code(world: GrantsWorld, value: str) -> DeviceCode:
    """The stored row of a device code."""
    with world.services.store.transaction() as unit:
        found = unit.find_device_code(token_hash(value))
    assert found is not None
    return found


def find_refresh_token(world: GrantsWorld, value: str) -> RefreshToken:
    """The stored row of a refresh token."""
    with world.services.store.transaction() as unit:
        found = unit.find_refresh_token(token_hash(value))
    assert found is not None
    return found


# --------------------------------------------------------------------------------------------------
# Reading answers
# --------------------------------------------------------------------------------------------------


def issued(response: httpx.Response, world: GrantsWorld) -> dict[str, Any]:
    """The body of a successful token response (refresh token under the log guard), else fail with the error."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSON_UTF8
    assert "no-store" in response.headers["cache-control"]
    body: dict[str, Any] = response.json()
    world.sensitive.add(body.get("refresh_token"))
    world.sensitive.add(body.get("id_token"))
    return body


def verified(token_value: str, keys: Mapping[str, Any]) -> dict[str, Any]:
    """The claims of a token whose RS256 signature verifies against the JWKS."""
    return verify_rs256(token_value, keys).claims


def header_of(token_value: str) -> dict[str, Any]:
    """A JWT's header, unverified."""
    return decode_unverified(token_value).header


def client_info_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """The decoded `client_info` response parameter."""
    decoded: dict[str, Any] = json.loads(b64url_decode(str(body["client_info"])))
    return decoded


def assert_renamed_error(response: httpx.Response, code: int, error: str) -> dict[str, Any]:
    """An Entra error whose `error` is not the catalogue's (RFC 8628 `slow_down`, `authorization_declined`)."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == JSON_UTF8
    body: dict[str, Any] = response.json()
    assert list(body) == list(ERROR_KEYS)
    assert (body["error"], body["error_codes"]) == (error, [code])
    assert TIMESTAMP.match(body["timestamp"]) and is_guid(body["correlation_id"])
    assert body["trace_id"] == response.headers["x-ms-request-id"]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert body["error_description"].endswith(f"\r\nTimestamp: {body['timestamp']}")
    assert body["error_uri"] == f"{BASE_URL}/error?code={code}"
    return body


def form_of(client: Client, grant_type: str, **params: str) -> dict[str, str]:
    """A token request form with `client_info=1` (as MSAL sends); a confidential client's secret is added
    unless the test passes its own `client_secret`."""
    data = {"grant_type": grant_type, "client_id": client.client_id, "client_info": "1", **params}
    if client.secret is not None:
        data.setdefault("client_secret", client.secret)
    return data


def without_secret(form: Mapping[str, str]) -> dict[str, str]:
    """The same form with no client credential (to see a confidential grant refuse it)."""
    return {name: value for name, value in form.items() if name != "client_secret"}


def multi_tenant(world: GrantsWorld, client: Client) -> Client:
    """The same client registered for any organization (`AzureADMultipleOrgs`), so /organizations accepts it."""
    return Client(world.update_app(client.app, sign_in_audience=SignInAudience.MULTIPLE_ORGS), client.secret)
