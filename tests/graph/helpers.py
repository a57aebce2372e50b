"""Assertions on Graph's wire format shared by the suite."""

from __future__ import annotations

import re
from typing import Any

import httpx

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
DENIED = "Authorization_RequestDenied"
NOT_FOUND = "Request_ResourceNotFound"
BAD_REQUEST = "Request_BadRequest"
INVALID_TOKEN = "InvalidAuthenticationToken"
GRAPH_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"


def assert_graph_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Graph's envelope, exactly: `error` with `code`, `message` (+ optional `details`) and `innerError`
    holding `request-id` (the `request-id` header), `client-request-id` (echoed header) and `date`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == GRAPH_JSON
    body = response.json()
    assert list(body) == ["error"]
    error = body["error"]
    assert error["code"] == code, error
    assert list(error) in (["code", "message", "innerError"], ["code", "message", "details", "innerError"])
    assert isinstance(error["message"], str) and error["message"]
    inner = error["innerError"]
    assert list(inner) == ["request-id", "client-request-id", "date"]
    assert GUID.match(inner["request-id"]) and inner["request-id"] == response.headers["request-id"]
    assert inner["client-request-id"] == response.headers["client-request-id"]
    assert DATE.match(inner["date"]), inner["date"]
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    return error
