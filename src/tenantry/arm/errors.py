"""ARM's error envelope, `{"error": {"code", "message"}}`: the only place ARM error bodies are built.

ARM answers a missing or invalid bearer token with 401 `AuthenticationFailed` or `InvalidAuthenticationToken`
and `WWW-Authenticate: Bearer`, an unknown path with 404 `NotFound`, an unknown subscription with 404
`SubscriptionNotFound`, and a missing `api-version` with 400 `MissingApiVersionParameter`.
"""

from __future__ import annotations

from starlette.responses import JSONResponse


class ArmError(Exception):
    """One refusal in ARM's words; `render` turns it into the response."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def render(self) -> JSONResponse:
        """ARM's envelope; a 401 also names the scheme it wants (RFC 6750 §3)."""
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if self.status == 401 else None
        body = {"error": {"code": self.code, "message": self.message}}
        return JSONResponse(body, status_code=self.status, headers=headers)


def unauthenticated(message: str) -> ArmError:
    """401 `InvalidAuthenticationToken` (ARM's word for a token it cannot accept)."""
    return ArmError(401, "InvalidAuthenticationToken", message)


def not_found(code: str, message: str) -> ArmError:
    """404 with ARM's code (`NotFound`, `SubscriptionNotFound`)."""
    return ArmError(404, code, message)
