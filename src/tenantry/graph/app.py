"""`build_graph_app`: the Microsoft Graph-compatible management API as a FastAPI app, mounted at `/v1.0`.

It receives its services as a `GraphDeps` (it never imports the composition root), answers only in
Graph's JSON and error envelope, and publishes its OpenAPI document at `/v1.0/openapi.json` (no
interactive docs page: that would load scripts from another host).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Depends, FastAPI
from starlette.routing import Mount
from starlette.types import ASGIApp

from tenantry.graph.deps import GraphDeps, graph_deps
from tenantry.graph.failures import exception_handlers
from tenantry.graph.responses import GraphJson, RequestIds
from tenantry.graph.routes import (
    applications,
    auth_methods,
    conditional_access,
    credentials,
    directory,
    domains,
    email_methods,
    federated_credentials,
    groups,
    me,
    owners,
    seamless_sso,
    service_principals,
    sign_ins,
    users,
)
from tenantry.graph.strings import refuse_control_characters

API_PREFIX = "/v1.0"
DESCRIPTION = (
    "A Microsoft Graph v1.0-compatible subset for app registrations, service principals, users (with password "
    "resets and `me/changePassword`), groups, domains, directory roles and the audit log. Call it with an "
    "access token Tenantry issued for `https://graph.microsoft.com/.default` "
    "(application permissions such as `Application.ReadWrite.All`) or a delegated token whose user holds a "
    "directory role. Credentials carry `tenantryStatus`, Tenantry's computed status."
)


def _without_validation_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents a 422 on every route; ours answer Graph's 400 instead, so drop the 422s."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("422", None)
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema


def build_graph_app(deps: GraphDeps) -> FastAPI:
    """The API with every route, Graph's error handling and request ids, bound to `deps`. Every
    route first refuses control characters anywhere in the request (`graph/strings.py`)."""
    app = FastAPI(
        title="Tenantry Graph-compatible API",
        version="v1.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        default_response_class=GraphJson,
        exception_handlers=exception_handlers(),
        dependencies=[Depends(refuse_control_characters)],
    )

    async def bound_deps() -> GraphDeps:
        return deps

    app.dependency_overrides[graph_deps] = bound_deps
    app.add_middleware(RequestIds)
    for module in (
        applications,
        credentials,
        owners,
        service_principals,
        directory,
        users,
        auth_methods,
        email_methods,
        me,
        groups,
        domains,
        sign_ins,
        conditional_access,
        federated_credentials,
        seamless_sso,
    ):
        app.include_router(module.router)
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _without_validation_errors(default_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def graph_mount(app: ASGIApp) -> Mount:
    """Mount the API at `/v1.0` so that every path below it, even one holding a percent-encoded line
    break (Starlette's pattern would stop at it), reaches the API and gets Graph's error shape."""
    mount = Mount(API_PREFIX, app=app)
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
    return mount
