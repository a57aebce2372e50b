"""Reading request bodies with a hard size limit, so a huge upload can't exhaust memory."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.types import Receive

from tenantry.errors import Aadsts, AadstsError


def _too_large() -> AadstsError:
    return AadstsError.of(Aadsts.InvalidRequestParameter, parameter="body", hint="The request body is too large.")


async def read_body(receive: Receive, headers: Mapping[str, str], limit: int) -> bytes:
    """The whole body from ASGI `receive`, or AADSTS90100 once it grows past `limit` bytes (or declares
    it will) or the client goes away before the end."""
    declared = headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise AadstsError.of(Aadsts.InvalidRequestParameter, parameter="body", hint="The body was cut short.")
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def read_limited_body(request: Request, limit: int) -> bytes:
    """`read_body` for a Starlette request (read once: the body is not kept on the request)."""
    return await read_body(request.receive, request.headers, limit)
