"""CORS for the endpoints browsers call cross-origin: /token (SPA code and refresh-token redemption) and
/oidc/userinfo (Fetch standard §3.2; entra-reference §1.6).

Nothing here relies on cookies, so `Access-Control-Allow-Origin: *` is enough and never needs `Vary`.
An `OPTIONS` request is a preflight only when it carries `Origin` and `Access-Control-Request-Method`;
any other `OPTIONS` is a wrong method (405, AADSTS900561), as before CORS existed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

PREFLIGHT_MAX_AGE = "86400"
ANY_ORIGIN = ("Access-Control-Allow-Origin", "*")
_HEADER_LIST = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$")


def allow_cross_origin(request: Request, response: Response) -> Response:
    """Let a browser script read the answer (success or error) when the request came with `Origin`."""
    if request.headers.get("origin"):
        name, value = ANY_ORIGIN
        response.headers[name] = value
    return response


def preflight_endpoint(allow: str) -> Callable[[Request], Awaitable[Response]]:
    """An `OPTIONS` handler for a route whose real methods are `allow` (e.g. "POST")."""

    async def preflight(request: Request) -> Response:
        if not request.headers.get("origin") or not request.headers.get("access-control-request-method"):
            raise HTTPException(405, headers={"Allow": allow})
        headers = {
            ANY_ORIGIN[0]: ANY_ORIGIN[1],
            "Access-Control-Allow-Methods": f"{allow}, OPTIONS",
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
        requested = request.headers.get("access-control-request-headers", "").strip()
        if requested and _HEADER_LIST.fullmatch(requested):
            headers["Access-Control-Allow-Headers"] = requested
        return Response(status_code=204, headers=headers)

    return preflight
