"""`build_arm_app`: the ARM surface as a Starlette app, mounted at `/arm` (its own prefix, and published under
its own origin: `common/azure_cloud.py` says why). It answers only in ARM's JSON and error envelope."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from tenantry.arm.deps import ArmDeps
from tenantry.arm.errors import ArmError
from tenantry.arm.routes import ArmEndpoints
from tenantry.common.azure_cloud import ARM_PATH


async def _arm_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ArmError)
    return exc.render()


async def _http_error(_request: Request, exc: Exception) -> Response:
    """Unknown paths and methods in ARM's envelope (404 `NotFound`, 405 `MethodNotAllowed`)."""
    assert isinstance(exc, HTTPException)
    code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "BadRequest")
    return ArmError(exc.status_code, code, f"The request path or method is not supported: {exc.detail}").render()


def build_arm_app(deps: ArmDeps) -> Starlette:
    """Every ARM route, bound to `deps`."""
    endpoints = ArmEndpoints(deps)
    routes = [
        Route("/metadata/endpoints", endpoints.metadata, methods=["GET"]),
        Route("/tenants", endpoints.tenants, methods=["GET"]),
        Route("/subscriptions", endpoints.subscriptions, methods=["GET"]),
        Route("/subscriptions/{subscription_id}", endpoints.subscription, methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers={ArmError: _arm_error, HTTPException: _http_error})


def arm_mount(deps: ArmDeps) -> Mount:
    """The surface at `/arm`."""
    return Mount(ARM_PATH, app=build_arm_app(deps))
