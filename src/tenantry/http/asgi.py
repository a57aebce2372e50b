"""Plain-ASGI helpers for the one endpoint hot enough to skip Starlette's request and response objects
(the token endpoint): decoded headers and a JSON answer in two messages (the body: `http.body`)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Scope, Send

from tenantry.errors.render import JSON_CONTENT_TYPE

_CONTENT_TYPE = (b"content-type", JSON_CONTENT_TYPE.encode("latin-1"))


def decoded_headers(scope: Scope) -> dict[str, str]:
    """Header names (lower case, as ASGI delivers them) to values; the first of repeated headers wins,
    as with Starlette's `Headers.get`."""
    found: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1")
        if name not in found:
            found[name] = raw_value.decode("latin-1")
    return found


def encode_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """Headers as ASGI wants them (lower-case names, bytes): precompute the constant ones with this."""
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]


async def send_json(send: Send, status: int, body: bytes, headers: Iterable[tuple[bytes, bytes]]) -> None:
    """One JSON response: `application/json; charset=utf-8`, its length, and `headers` (encoded)."""
    raw = [_CONTENT_TYPE, (b"content-length", str(len(body)).encode("latin-1")), *headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
