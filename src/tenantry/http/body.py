"""Reading request bodies with a hard size limit, so a huge upload can't exhaust memory."""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request

from tenantry.errors import Aadsts, AadstsError


def _too_large() -> AadstsError:
    return AadstsError.of(Aadsts.InvalidRequestParameter, parameter="body", hint="The request body is too large.")


async def read_limited_body(request: Request, limit: int) -> bytes:
    """The body, or AADSTS90100 once it grows past `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large()
            chunks.append(chunk)
    except ClientDisconnect as exc:
        raise AadstsError.of(Aadsts.InvalidRequestParameter, parameter="body", hint="The body was cut short.") from exc
    return b"".join(chunks)
