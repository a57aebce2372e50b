"""How answers reach the app (OAuth 2.0 Multiple Response Type Encoding Practices §2.1, Form Post
Response Mode §2): `query` and `fragment` are 302 redirects, `form_post` is an HTML page whose form posts
the parameters to the redirect URI — submitted by a static script (CSP forbids inline script), with a
visible button inside `<noscript>` for browsers without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.errors.render import redirect_fields
from tenantry.http.context import request_context
from tenantry.http.pages import error_page, render_page
from tenantry.protocol.authorize.context import ReplyTarget
from tenantry.protocol.authorize.outcomes import ErrorPage, Outcome, ToApp, ToAppError, ToPage

REDIRECT_HEADERS = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache", "Referrer-Policy": "no-referrer"}


def redirect(request: Request, location: str) -> Response:
    """302 (303 after a POST, so the browser follows with GET), never cached."""
    status = 303 if request.method == "POST" else 302
    response = RedirectResponse(location, status_code=status, headers=REDIRECT_HEADERS)
    response.headers["x-ms-request-id"] = request_context(request).trace_id
    return response


def note_parties(request: Request) -> None:
    """For the log line of a refusal: the tenant of the path and the client_id of the query (a POSTed
    /authorize carries it in the body, which is not read again here)."""
    client_id = request.query_params.get("client_id")
    request_context(request).parties.note(tenant=request.path_params.get("tenant"), client_id=client_id)


def reply(request: Request, target: ReplyTarget, params: Mapping[str, str]) -> Response:
    """Deliver `params` to the redirect URI in the target's response mode."""
    if target.response_mode == "form_post":
        return render_page(request, "signin/form_post.html", {"action": target.redirect_uri, "fields": params})
    encoded = urlencode(params)
    if target.response_mode == "fragment":
        return redirect(request, f"{target.redirect_uri}#{encoded}")
    separator = "&" if "?" in target.redirect_uri else "?"
    return redirect(request, f"{target.redirect_uri}{separator}{encoded}")


def respond(request: Request, outcome: Outcome) -> Response:
    """Turn an outcome into HTTP."""
    if isinstance(outcome, ToApp):
        return reply(request, outcome.target, outcome.params)
    if isinstance(outcome, ToAppError | ErrorPage):
        note_parties(request)
    if isinstance(outcome, ToAppError):
        fields = redirect_fields(outcome.error, request_context(request), outcome.target.state)
        return reply(request, outcome.target, fields)
    if isinstance(outcome, ErrorPage):
        return error_page(request, outcome.error)
    assert isinstance(outcome, ToPage)
    return redirect(request, outcome.location)
