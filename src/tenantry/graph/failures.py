"""Domain refusals mapped to Graph errors, so a service's exception never becomes a 500.

| raised by a service                                        | Graph answer                                      |
|------------------------------------------------------------|---------------------------------------------------|
| `AuthorizationError`, `RolePermissionError`                 | 403 `Authorization_RequestDenied`                 |
| `NotFoundError`, `RoleNotFoundError`, `UserNotFoundError`   | 404 `Request_ResourceNotFound`                    |
| `ConflictError`, `RoleAssignmentExistsError`                | 409 `Request_MultipleObjectsWithSameKeyValue`     |
| `CredentialPolicyError` (tenant lifetime cap)               | 400 `CredentialInvalidLifetimeAsPerAppPolicy`     |
| `AppError`, `IdentifierUriTakenError`, `CredentialError`,  | 400 `Request_BadRequest`                          |
| `CertificateFormatError`, `RoleError`, `ProofError`,        |                                                   |
| `UserError`, `PasswordRefusedError` ("AADSTS1200xx: …")     |                                                   |
| FastAPI's body/parameter validation (its 422)               | 400 `Request_BadRequest`                          |
| `ConditionalAccessError` (a policy or location refused)     | 400 `BadRequest` (the conditional access API's)   |
| an unknown path / a wrong method                            | 400 `BadRequest` / 405 `Request_BadRequest`       |
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tenantry.apps.changes import AppError
from tenantry.apps.operations import ConflictError, NotFoundError
from tenantry.apps.repository import IdentifierUriTakenError
from tenantry.conditional_access.validation import ConditionalAccessError
from tenantry.credentials.certificates import CertificateFormatError
from tenantry.credentials.errors import CredentialError, CredentialPolicyError
from tenantry.directory.authorization import AuthorizationError
from tenantry.directory.repository import RoleAssignmentExistsError
from tenantry.directory.role_service import RoleError, RoleNotFoundError, RolePermissionError
from tenantry.directory.user_changes import PasswordRefusedError, UserError, UserNotFoundError
from tenantry.graph.errors import (
    BAD_REQUEST,
    CONFLICT,
    DENIED,
    NOT_FOUND,
    ErrorDetail,
    GraphError,
    error_response,
    graph_error_handler,
    unexpected_error_handler,
)
from tenantry.graph.proof import ProofError

Handler = Callable[[Request, Any], Coroutine[Any, Any, Response]]

_STATUS: tuple[tuple[tuple[type[Exception], ...], int, str], ...] = (
    ((AuthorizationError, RolePermissionError), 403, DENIED),
    ((NotFoundError, RoleNotFoundError, UserNotFoundError), 404, NOT_FOUND),
    ((ConflictError, RoleAssignmentExistsError), 409, CONFLICT),
    (
        (
            AppError,
            IdentifierUriTakenError,
            CredentialError,
            CertificateFormatError,
            RoleError,
            ProofError,
            UserError,
            PasswordRefusedError,
        ),
        400,
        BAD_REQUEST,
    ),
    # Entra's conditional access API answers its refusals with the code `BadRequest`.
    ((ConditionalAccessError,), 400, "BadRequest"),
)


def graph_error_of(exc: Exception) -> GraphError:
    """The Graph error for a domain refusal (the table above)."""
    if isinstance(exc, CredentialPolicyError):
        detail = ErrorDetail(exc.detail_code, str(exc), exc.target)
        return GraphError(400, exc.code, str(exc), details=(detail,))
    for kinds, status, code in _STATUS:
        if isinstance(exc, kinds):
            message = getattr(exc, "message", None) or str(exc)
            if isinstance(exc, ConflictError | RoleAssignmentExistsError) and not message:
                message = "A conflicting object with one or more of the specified property values is present."
            return GraphError(status, code, message)
    raise exc


async def domain_error_handler(request: Request, exc: Exception) -> Response:
    """Render a domain refusal."""
    return error_response(request, graph_error_of(exc))


def _location(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 becomes Graph's 400, naming the first offending property."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    where = _location(tuple(first.get("loc", ())))
    if first.get("type") == "extra_forbidden":
        message = f"Invalid property '{where}'."
    elif first.get("type") in ("json_invalid", "model_attributes_type", "dict_type"):
        message = "The request body is not a valid JSON object of the expected shape."
    else:
        message = f"Invalid value for '{where}': {first.get('msg', 'invalid')}."
    return error_response(request, GraphError(400, BAD_REQUEST, message))


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """Unknown segments and wrong methods, in Graph's words."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        error = GraphError(405, BAD_REQUEST, "Specified HTTP method is not allowed for the request target.")
        error.headers = {"Allow": allow} if allow else {}
        return error_response(request, error)
    segment = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    return error_response(request, GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'."))


def exception_handlers() -> dict[type[Exception] | int, Handler]:
    """Every handler the Graph app registers."""
    handlers: dict[type[Exception] | int, Handler] = {
        GraphError: graph_error_handler,
        RequestValidationError: validation_error_handler,
        HTTPException: http_error_handler,
        CredentialPolicyError: domain_error_handler,
        Exception: unexpected_error_handler,
    }
    for kinds, _, _ in _STATUS:
        for kind in kinds:
            handlers[kind] = domain_error_handler
    return handlers
