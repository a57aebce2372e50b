"""Trace and correlation ids (entra-reference §3.1).

`trace_id` is ours, fresh per request, and equals the `x-ms-request-id` header. `correlation_id`
echoes a well-formed `client-request-id` (MSAL sends a GUID); anything else is replaced by a new GUID
so a client can never inject text into the description's trailer.
"""

from __future__ import annotations

import uuid

import pytest

from .conftest import TokenPoster, World, assert_entra_error, is_guid, secret_form


def wrong_secret(world: World) -> dict[str, str]:
    """A request that fails with AADSTS7000215, so the error body shows the ids."""
    return secret_form(world.confidential, client_secret="wrong")


@pytest.mark.parametrize("request_id", [str(uuid.uuid4()), "abc-123", "A" * 64], ids=["guid", "short", "max-length"])
def test_client_request_id_is_echoed(world: World, token: TokenPoster, request_id: str) -> None:
    """A well-formed `client-request-id` header comes back as `correlation_id` and in the trailer."""
    response = token(world.token_path(), wrong_secret(world), headers={"client-request-id": request_id})
    assert_entra_error(response, 7000215, 401, "invalid_client", correlation_id=request_id)


@pytest.mark.parametrize(
    "request_id",
    ["x" * 100, "has spaces", "evil\tTrace ID: 1", "<script>", "a_b", "ümlaut"],
    ids=["too-long", "spaces", "tab-injection", "markup", "underscore", "non-ascii"],
)
def test_invalid_client_request_id_is_replaced(world: World, token: TokenPoster, request_id: str) -> None:
    """A malformed `client-request-id` is not echoed; the correlation id is a fresh GUID instead."""
    response = token(world.token_path(), wrong_secret(world), headers={"client-request-id": request_id.encode()})
    body = assert_entra_error(response, 7000215, 401, "invalid_client")
    assert is_guid(body["correlation_id"])
    assert request_id not in body["error_description"]


def test_client_request_id_query_parameter(world: World, token: TokenPoster) -> None:
    """`client-request-id` may also come as a query parameter (MSAL's browser flows put it there)."""
    request_id = str(uuid.uuid4())
    response = token(f"{world.token_path()}?client-request-id={request_id}", wrong_secret(world))
    assert_entra_error(response, 7000215, 401, "invalid_client", correlation_id=request_id)


def test_ids_are_fresh_per_request(world: World, token: TokenPoster) -> None:
    """Without a `client-request-id`, every request gets its own trace and correlation ids."""
    first = token(world.token_path(), wrong_secret(world)).json()
    second = token(world.token_path(), wrong_secret(world)).json()
    assert first["trace_id"] != second["trace_id"]
    assert first["correlation_id"] != second["correlation_id"]
    assert first["trace_id"] != first["correlation_id"]
