"""Device authorization: `POST /devicecode` and polling with the device code grant (RFC 8628;
entra-reference §1.6; msal-compat §2.5, §5). Approval (the /devicelogin page) is simulated by writing
the device code row."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from grants.helpers import (
    assert_renamed_error,
    find_device_code,
    form_of,
    issued,
    now,
    store_device_code,
    verified,
)
from grants.world import (
    DEVICE_GRANT,
    OIDC,
    ORDERS_URI,
    GrantsWorld,
)
from protocol.conftest import BASE_URL, Client, TokenPoster, assert_entra_error, message_of
from tenantry.protocol.grants import device_code as device_code_grant
from tenantry.tokens.opaque import token_hash

SCOPE = f"{ORDERS_URI}/Orders.Read {OIDC}"


def start(
    token: TokenPoster, world: GrantsWorld, client: Client, scope: str = SCOPE, segment: str | None = None, **extra: str
) -> Any:
    """`POST /{tenant}/oauth2/v2.0/devicecode` as MSAL does (client_id, scope)."""
    form = {"client_id": client.client_id, "scope": scope, **extra}
    return token(f"/{segment or world.tenant.id}/oauth2/v2.0/devicecode", form)


def poll(
    token: TokenPoster, world: GrantsWorld, device_code: str, client: Client, grant_type: str = DEVICE_GRANT
) -> Any:
    """A poll as MSAL Python sends it: no scope, `device_code` and its duplicate `code`."""
    form = form_of(client, grant_type, device_code=device_code, code=device_code)
    return token(world.token_path(), form)


# --------------------------------------------------------------------------------------------------
# POST /devicecode
# --------------------------------------------------------------------------------------------------


def test_devicecode_answers_like_entra(grants: GrantsWorld, token: TokenPoster) -> None:
    """user_code (nine upper-case letters/digits), opaque device_code, verification_uri on our host,
    expires_in 900, interval 5 and a message naming both; the code is stored hashed, pending, with its scopes."""
    response = start(token, grants, grants.native)
    assert response.status_code == 200, response.text
    assert "no-store" in response.headers["cache-control"]
    body = response.json()
    grants.sensitive.add(body["device_code"])
    assert list(body) == ["user_code", "device_code", "verification_uri", "expires_in", "interval", "message"]
    assert re.fullmatch(r"[A-Z0-9]{9}", body["user_code"])
    assert body["verification_uri"] == f"{BASE_URL}/devicelogin"
    assert (body["expires_in"], body["interval"]) == (900, 5)
    assert body["user_code"] in body["message"] and body["verification_uri"] in body["message"]
    stored = find_device_code(grants, body["device_code"])
    assert stored.device_code_hash == token_hash(body["device_code"])
    assert (stored.status, stored.scopes, stored.user_code) == ("pending", tuple(SCOPE.split()), body["user_code"])
    assert stored.tenant_segment == grants.tenant.id


def test_devicecode_unknown_client_is_700016(grants: GrantsWorld, token: TokenPoster) -> None:
    """An unknown client_id is AADSTS700016 in Entra's JSON error shape."""
    response = token(
        f"/{grants.tenant.id}/oauth2/v2.0/devicecode",
        {"client_id": "0f0f0f0f-0000-4000-8000-000000000000", "scope": SCOPE},
    )
    assert_entra_error(response, 700016, 400, "unauthorized_client")


@pytest.mark.parametrize(
    ("scope", "code", "error"),
    [
        (f"{ORDERS_URI}/Nope.Read", 70011, "invalid_scope"),
        (f"{ORDERS_URI}/Orders.Read https://stock.grants.example/Stock.Read", 700022, "invalid_scope"),
        ("api://nowhere/Read", 500011, "invalid_resource"),
    ],
)
def test_devicecode_checks_scopes(grants: GrantsWorld, token: TokenPoster, scope: str, code: int, error: str) -> None:
    """Scopes are validated when the flow starts, not only when it ends."""
    assert_entra_error(start(token, grants, grants.native, scope), code, 400, error)


def test_devicecode_missing_scope_is_900144(grants: GrantsWorld, token: TokenPoster) -> None:
    """`scope` is required."""
    response = token(f"/{grants.tenant.id}/oauth2/v2.0/devicecode", {"client_id": grants.native.client_id})
    assert_entra_error(response, 900144, 400, "invalid_request")


def test_devicecode_confidential_client_must_authenticate(grants: GrantsWorld, token: TokenPoster) -> None:
    """A client without public client flows needs its credential (7000218), and may use it."""
    assert_entra_error(start(token, grants, grants.web), 7000218, 401, "invalid_client")
    assert grants.web.secret is not None
    response = start(token, grants, grants.web, client_secret=grants.web.secret)
    assert response.status_code == 200, response.text
    grants.sensitive.add(response.json()["device_code"])


def test_devicecode_wrong_method_is_405(grants: GrantsWorld, token: TokenPoster) -> None:
    """The device authorization endpoint takes POST only."""
    response = token.client.get(f"/{grants.tenant.id}/oauth2/v2.0/devicecode")
    assert_entra_error(response, 900561, 405, "invalid_request")


# --------------------------------------------------------------------------------------------------
# Polling
# --------------------------------------------------------------------------------------------------


def test_pending_is_70016_and_records_the_poll(grants: GrantsWorld, token: TokenPoster) -> None:
    """Before approval a poll is 70016 authorization_pending, and its time is kept (for slow_down)."""
    value = store_device_code(grants, grants.native)
    body = assert_entra_error(poll(token, grants, value, grants.native), 70016, 400, "authorization_pending")
    assert "not finished" in message_of(body)
    assert find_device_code(grants, value).last_polled_at is not None


def test_polling_twice_per_interval_is_slow_down(grants: GrantsWorld, token: TokenPoster) -> None:
    """A poll less than half an interval after the previous one is `slow_down` (code 70016)."""
    value = store_device_code(grants, grants.native)
    assert_entra_error(poll(token, grants, value, grants.native), 70016, 400, "authorization_pending")
    body = assert_renamed_error(poll(token, grants, value, grants.native), 70016, "slow_down")
    assert "5 seconds" in message_of(body)


def test_polling_at_the_interval_is_never_slow_down(grants: GrantsWorld, token: TokenPoster) -> None:
    """A poll an interval (even just under half of one) after the last stays authorization_pending,
    so MSAL Python and msal-node, which wait a full interval, never see slow_down."""
    value = store_device_code(grants, grants.native)
    for gap in (5.0, 2.6):
        row = find_device_code(grants, value)
        with grants.services.store.transaction(write=True) as unit:
            unit.update_device_code(replace(row, last_polled_at=now() - timedelta(seconds=gap)))
        assert_entra_error(poll(token, grants, value, grants.native), 70016, 400, "authorization_pending")


def test_expired_is_70019(grants: GrantsWorld, token: TokenPoster) -> None:
    """After fifteen minutes the code is 70019 expired_token, approved or not."""
    past = now() - timedelta(minutes=16)
    for fields in ({}, {"approved_by": grants.alice}):
        value = store_device_code(grants, grants.native, created_at=past, **fields)
        assert_entra_error(poll(token, grants, value, grants.native), 70019, 400, "expired_token")


@pytest.mark.parametrize("value", ["dc.unknown", "garbage"])
def test_unknown_device_code_is_70018(grants: GrantsWorld, token: TokenPoster, value: str) -> None:
    """A device code we never issued is 70018 bad_verification_code."""
    assert_entra_error(poll(token, grants, value, grants.native), 70018, 400, "bad_verification_code")


def test_declined_is_authorization_declined(grants: GrantsWorld, token: TokenPoster) -> None:
    """A user who refused on /devicelogin: 65004 (declined) answered as `authorization_declined`."""
    value = store_device_code(grants, grants.native, status="declined")
    assert_renamed_error(poll(token, grants, value, grants.native), 65004, "authorization_declined")


def test_approved_code_gives_tokens_once(grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any]) -> None:
    """An approved code yields the stored scopes' tokens (the poll sent none) and becomes redeemed;
    polling again is 90120."""
    value = store_device_code(grants, grants.native, approved_by=grants.alice)
    body = issued(poll(token, grants, value, grants.native), grants)
    assert body["scope"] == SCOPE
    access = verified(body["access_token"], jwks)
    assert (access["oid"], access["scp"], access["appidacr"]) == (grants.alice.id, "Orders.Read", "0")
    assert "auth_time" not in verified(body["id_token"], jwks)
    assert find_device_code(grants, value).status == "redeemed"
    assert_entra_error(poll(token, grants, value, grants.native), 90120, 400, "invalid_grant")


def test_msal_node_alias_grant_type(grants: GrantsWorld, token: TokenPoster) -> None:
    """msal-node polls with `grant_type=device_code` (and sends the scope, which is ignored)."""
    value = store_device_code(grants, grants.native, approved_by=grants.alice)
    form = form_of(grants.native, "device_code", device_code=value, scope="openid")
    body = issued(token(grants.token_path(), form), grants)
    assert body["scope"] == SCOPE


def test_device_code_of_another_client_is_70000(grants: GrantsWorld, token: TokenPoster) -> None:
    """A device code is bound to the client that started the flow."""
    value = store_device_code(grants, grants.native, approved_by=grants.alice)
    assert_entra_error(poll(token, grants, value, grants.unconsented), 70000, 400, "invalid_grant")


def test_poll_at_another_tenant_is_700005(grants: GrantsWorld, token: TokenPoster) -> None:
    """Once approved in Grants, the code cannot be redeemed at Fabrikam's endpoint."""
    grants.provision(grants.native, grants.other_tenant)
    value = store_device_code(grants, grants.native, approved_by=grants.alice)
    form = form_of(grants.native, DEVICE_GRANT, device_code=value)
    assert_entra_error(token(grants.token_path(grants.other_tenant.id), form), 700005, 400, "invalid_grant")


def test_user_disabled_after_approval_is_50057(grants: GrantsWorld, token: TokenPoster) -> None:
    """The user must still be allowed in when the device redeems."""
    user = grants.new_user("device-disabled")
    value = store_device_code(grants, grants.native, approved_by=user)
    grants.update_user(user, account_enabled=False)
    assert_entra_error(poll(token, grants, value, grants.native), 50057, 400, "invalid_grant")


def test_missing_device_code_is_900144(grants: GrantsWorld, token: TokenPoster) -> None:
    """`device_code` is required."""
    form = form_of(grants.native, DEVICE_GRANT)
    body = assert_entra_error(token(grants.token_path(), form), 900144, 400, "invalid_request")
    assert "'device_code'" in message_of(body)


def test_full_flow_through_the_endpoint(grants: GrantsWorld, token: TokenPoster) -> None:
    """Start, poll (pending), approve, poll (tokens): the whole protocol over HTTP."""
    started = start(token, grants, grants.native).json()
    grants.sensitive.add(started["device_code"])
    assert_entra_error(poll(token, grants, started["device_code"], grants.native), 70016, 400, "authorization_pending")
    row = find_device_code(grants, started["device_code"])
    approved = replace(
        row,
        status="approved",
        tenant_id=grants.tenant.id,
        user_id=grants.alice.id,
        auth_time=now(),
        last_polled_at=now() - timedelta(seconds=5),
    )
    with grants.services.store.transaction(write=True) as unit:
        unit.update_device_code(approved)
    body = issued(poll(token, grants, started["device_code"], grants.native), grants)
    assert body["scope"] == SCOPE


def test_a_poll_never_undoes_an_approval(
    grants: GrantsWorld, token: TokenPoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the real az showed: a poll reads the code pending (possibly from the read cache), the user
    approves, then the poll records its time. The approval stands (that write is a compare-and-set on
    `pending`), and the next poll gets the tokens instead of polling until the code expires."""
    value = store_device_code(grants, grants.native)
    record_poll = device_code_grant.commit_now

    def approve_then_record(store: Any, write: Any) -> None:
        with grants.services.store.transaction(write=True) as unit:
            code = unit.find_device_code(token_hash(value))
            assert code is not None
            user = grants.alice
            unit.update_device_code(
                replace(code, status="approved", tenant_id=user.tenant_id, user_id=user.id, auth_time=now())
            )
        record_poll(store, write)

    monkeypatch.setattr(device_code_grant, "commit_now", approve_then_record)
    assert_entra_error(poll(token, grants, value, grants.native), 70016, 400, "authorization_pending")
    monkeypatch.undo()
    assert find_device_code(grants, value).status == "approved"
    issued(poll(token, grants, value, grants.native), grants)
