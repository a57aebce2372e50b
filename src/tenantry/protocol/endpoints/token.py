"""`POST /{tenant}/oauth2/v2.0/token`, with CORS for single-page apps redeeming from the browser.

The busiest endpoint by far (every daemon asks it for every token), so it is a plain ASGI app: no
Starlette `Request`/`Response` objects on the way, the JSON body is encoded once, and headers are sent
as bytes. What it answers is exactly what the Starlette-based endpoints answer.
"""

from __future__ import annotations

from collections.abc import Mapping

from anyio import CapacityLimiter, to_thread
from starlette.types import Receive, Scope, Send

from tenantry.common.compact_json import compact_json
from tenantry.errors import AadstsError
from tenantry.errors.render import render_json
from tenantry.http.asgi import decoded_headers, encode_headers, send_json
from tenantry.http.body import read_body
from tenantry.http.context import scope_context
from tenantry.http.responses import NO_STORE
from tenantry.protocol.client_auth import claimed_client_id
from tenantry.protocol.endpoints.cors import ANY_ORIGIN, preflight_endpoint
from tenantry.protocol.form import check_content_type, parse_form
from tenantry.protocol.sign_in_events import TokenSignIns, claimed
from tenantry.protocol.token_service import InlineOutcome, Issued, TokenCall, TokenService
from tenantry.tokens.signing_pool import SigningPool

token_preflight = preflight_endpoint("POST")

_ANY_ORIGIN = encode_headers((ANY_ORIGIN,))
_NO_STORE = encode_headers(NO_STORE.items())


class TokenEndpoint:
    """The endpoint as an ASGI app (an instance, so that Starlette's `Route` hands it the raw scope).

    Grants that read or write storage run on worker threads, at most `threads` at once: a few keep both
    cores busy, while dozens would only fight over the GIL (and over pooled connections). Every answer is
    queued on the sign-in log (`sign_ins`) after it is sent: a tuple appended, the entry built elsewhere."""

    def __init__(
        self,
        service: TokenService,
        signing: SigningPool,
        threads: CapacityLimiter,
        max_body: int,
        sign_ins: TokenSignIns | None = None,
    ) -> None:
        self._service = service
        self._signing = signing
        self._threads = threads
        self._max_body = max_body
        self._sign_ins = sign_ins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Parse the form and validate on the event loop when the grant allows it (client credentials with
        a warm cache needs no I/O) and sign on the signing pool; every grant that reads or writes storage
        runs on worker threads, where the database drivers release the GIL."""
        headers = decoded_headers(scope)
        ctx = scope_context(scope, headers)
        cors = _ANY_ORIGIN if headers.get("origin") else ()
        form: Mapping[str, str] | None = None
        try:
            check_content_type(headers.get("content-type"))
            form = parse_form(await read_body(receive, headers, self._max_body))
            tenant = scope["path_params"]["tenant"]
            call = TokenCall(
                tenant,
                form,
                headers.get("authorization"),
                ctx.base_url,
                headers.get("origin"),
                headers.get("host", ""),
                ctx.client_ip,
            )
            issued = await self._finish(self._service.start(call))
        except AadstsError as err:
            # Only now, so that a successful request pays nothing: who the refused request named, for the log.
            client_id = claimed_client_id(form, headers.get("authorization"))
            ctx.parties.note(tenant=scope["path_params"].get("tenant"), client_id=client_id)
            rendered = render_json(err, ctx)
            answer = (*encode_headers(rendered.headers.items()), *cors)
            await send_json(send, rendered.status, compact_json(rendered.body), answer)
            if self._sign_ins is not None:
                self._sign_ins.failed(err, claimed(ctx.parties.tenant, form, client_id), ctx)
            return
        answer = (*_NO_STORE, (b"x-ms-request-id", ctx.trace_id.encode()), *cors)
        await send_json(send, 200, compact_json(issued.body), answer)
        if self._sign_ins is not None:
            self._sign_ins.succeeded(issued.decision, ctx)

    async def _finish(self, outcome: InlineOutcome) -> Issued:
        if outcome.remaining is not None:
            return await to_thread.run_sync(outcome.remaining, limiter=self._threads)
        assert outcome.unsigned is not None
        access_token = await self._signing.sign(outcome.unsigned.access_token)
        return Issued(outcome.unsigned.signed(access_token), outcome.decision)
