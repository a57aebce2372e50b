"""`/share/{token}`: the page behind a one-time share link (credentials/share_links.py).

GET only shows a "Reveal" button and never reveals, so link previews (chat apps, mail scanners) cannot
burn the link; the POST reveals the value once. Revealed, expired or withdrawn links answer 410 Gone,
unknown ones 404. No CSRF token: a forged POST needs the token itself, and whoever has it can reveal
anyway. Every answer is `no-store`, `no-referrer` and `noindex`, and the value is never logged.
"""

from __future__ import annotations

from functools import partial

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tenantry.audit.recorder import AuditContext
from tenantry.common.clock import Clock
from tenantry.credentials.share_links import (
    LINK_HOLDER,
    LinkState,
    ShareLinkGoneError,
    ShareLinkNotFoundError,
    ShareLinkService,
)
from tenantry.http.context import request_context
from tenantry.web.templating import templates

HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'",
}
_STATUS = {LinkState.AVAILABLE: 200, LinkState.GONE: 410, LinkState.UNKNOWN: 404}


def _page(request: Request, state: str, value: str | None = None) -> Response:
    status = 200 if state == "revealed" else _STATUS[LinkState(state)]
    context = {"state": state, "value": value, "is_pem": bool(value and value.startswith("-----BEGIN"))}
    return templates.TemplateResponse(request, "share.html", context, status_code=status, headers=HEADERS)


async def show(links: ShareLinkService, request: Request) -> Response:
    """The confirmation page (or 410/404); nothing is revealed or changed."""
    state = await to_thread.run_sync(links.state, request.path_params["token"])
    return _page(request, state.value)


async def reveal(links: ShareLinkService, clock: Clock, request: Request) -> Response:
    """Reveal the value once; the audit record carries this request's correlation id."""
    ctx = AuditContext(LINK_HOLDER, clock.now(), request_context(request).correlation_id)
    reveal_once = partial(links.reveal, audit=ctx)
    try:
        revealed = await to_thread.run_sync(reveal_once, request.path_params["token"])
    except ShareLinkGoneError:
        return _page(request, LinkState.GONE.value)
    except ShareLinkNotFoundError:
        return _page(request, LinkState.UNKNOWN.value)
    return _page(request, "revealed", revealed.value)


def share_routes(links: ShareLinkService, clock: Clock) -> list[BaseRoute]:
    """The share-link page, bound to the share-link service."""
    return [
        Route("/share/{token}", partial(show, links), methods=["GET"]),
        Route("/share/{token}", partial(reveal, links, clock), methods=["POST"]),
    ]
