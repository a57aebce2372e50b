"""The authorize validation pipeline: one table of named steps and the endpoints each applies to (style P6).

Order matters. `check_client` and `check_redirect_uri` come first: until both pass, an error can only be
shown on the error page; after them, an error whose catalogue row is `redirectable` goes back to the
app's redirect URI (RFC 6749 §4.1.2.1, style P3). Adding an Entra rule means adding a row here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tenantry.errors import AadstsError
from tenantry.protocol.authorize.context import (
    AuthorizeContext,
    AuthorizeRequest,
    Endpoint,
    ReplyTarget,
    freeze,
)
from tenantry.protocol.authorize.steps.check_audience import check_audience
from tenantry.protocol.authorize.steps.check_client import check_client
from tenantry.protocol.authorize.steps.check_max_age import check_max_age
from tenantry.protocol.authorize.steps.check_nonce import check_nonce
from tenantry.protocol.authorize.steps.check_pkce import check_pkce
from tenantry.protocol.authorize.steps.check_prompt import check_prompt
from tenantry.protocol.authorize.steps.check_redirect_uri import check_redirect_uri
from tenantry.protocol.authorize.steps.check_response_mode import MODES, check_response_mode, default_mode
from tenantry.protocol.authorize.steps.check_response_type import check_response_type
from tenantry.protocol.authorize.steps.check_scope import check_scope
from tenantry.protocol.deps import AuthorizeDeps
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.tenancy import TenantRef

Step = Callable[[AuthorizeContext], None]
A = frozenset({Endpoint.AUTHORIZE})
A_AC = frozenset({Endpoint.AUTHORIZE, Endpoint.ADMIN_CONSENT})

# step                  endpoints   rule
STEPS: tuple[tuple[Step, frozenset[Endpoint]], ...] = (
    (check_client, A_AC),  # 900144 client_id, 700016
    (check_redirect_uri, A_AC),  # 50011 / 900971 — the last step whose errors are never redirected
    (check_audience, A_AC),  # 50194, 9002332, 700016, 7000112 (error page: not redirectable)
    (check_response_type, A),  # 900144, 70005, 700054
    (check_response_mode, A),  # 70007
    (check_scope, A),  # 900144, 700022, 70011, 500011, 500014
    (check_nonce, A),  # 900144 nonce (id_token)
    (check_pkce, A),  # 50147, 501491
    (check_prompt, A),  # 90100
    (check_max_age, A),  # 90100
)


class AuthorizeRejectedError(Exception):
    """A validation failure and where it goes: the app's redirect URI (`target`) or, when None, the error page."""

    def __init__(self, error: AadstsError, target: ReplyTarget | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.target = target


def error_mode(ctx: AuthorizeContext) -> str:
    """How an error reaches the app: the requested mode when it is usable, else the response type's default."""
    if ctx.response_mode is not None:
        return ctx.response_mode
    requested = ctx.param("response_mode")
    types = frozenset((ctx.param("response_type") or "code").split())
    has_token = bool(types & {"id_token", "token"})
    if requested in MODES and not (requested == "query" and has_token):
        return requested
    return "fragment" if has_token else default_mode(ctx.response_types)


def reply_target(ctx: AuthorizeContext, error: AadstsError) -> ReplyTarget | None:
    """Redirect only once client and redirect URI are validated, and only codes the catalogue allows."""
    if ctx.client is None or ctx.redirect_uri is None or not error.spec.redirectable:
        return None
    mode = "query" if ctx.endpoint is Endpoint.ADMIN_CONSENT else error_mode(ctx)
    return ReplyTarget(ctx.redirect_uri, mode, ctx.param("state"))


def validate(
    endpoint: Endpoint,
    tenant: TenantRef,
    params: Mapping[str, str],
    unit: StsUnit,
    deps: AuthorizeDeps,
    base_url: str = "",
) -> AuthorizeRequest:
    """Run the endpoint's steps in order; the first failure raises `AuthorizeRejectedError`. `base_url` is
    the public URL the request came through (redirect URIs derived from it, see `check_redirect_uri`)."""
    ctx = AuthorizeContext(endpoint, tenant, params, unit, deps, base_url=base_url)
    for step, endpoints in STEPS:
        if endpoint not in endpoints:
            continue
        try:
            step(ctx)
        except AadstsError as error:
            raise AuthorizeRejectedError(error, reply_target(ctx, error)) from error
    if endpoint is Endpoint.ADMIN_CONSENT:
        ctx.response_mode = "query"
    return freeze(ctx)
