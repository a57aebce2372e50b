"""Reading the sign-in pages' form posts: form-encoded, small, each field once."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request

from tenantry.errors import Aadsts, AadstsError
from tenantry.http.body import read_limited_body

MAX_FORM_BYTES = 16_384
FORM_TYPE = "application/x-www-form-urlencoded"


async def read_form(request: Request) -> Mapping[str, str]:
    """The posted fields; another content type, bad UTF-8, a repeated field, a NUL character (which
    PostgreSQL refuses) or a huge body is AADSTS90100."""
    if request.headers.get("content-type", "").split(";", 1)[0].strip().lower() != FORM_TYPE:
        raise AadstsError.of(Aadsts.InvalidRequestParameter, parameter="Content-Type")
    body = await read_limited_body(request, MAX_FORM_BYTES)
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise AadstsError.of(Aadsts.InvalidRequestParameter, parameter="body") from exc
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields or "\x00" in name or "\x00" in value:
            raise AadstsError.of(Aadsts.InvalidRequestParameter, parameter=name.replace("\x00", "")[:64])
        fields[name] = value
    return fields
