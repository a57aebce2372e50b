"""`tenantry.errors.render`: Entra's error wire format, the only place error bodies are built (style P1).

Properties: for every catalogue code and any client-supplied placeholder values or correlation id,
`error_description` is one line of message plus exactly the three-line CRLF trailer; statuses and
`error` values come from the catalogue; 401s carry a challenge.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenantry.common.context import RequestContext
from tenantry.errors import AadstsError, all_specs
from tenantry.errors.catalog import ErrorSpec
from tenantry.errors.render import (
    describe,
    entra_timestamp,
    error_body,
    lookup_document,
    redirect_params,
    render_json,
)

PROPERTY = settings(max_examples=200, deadline=None)
SPECS = all_specs()
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CORRELATION = re.compile(r"^[A-Za-z0-9-]{1,64}$")
BASE = "https://localhost:8443"
ENTRA_KEYS = ["error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"]


@st.composite
def errors(draw: st.DrawFn) -> AadstsError:
    """Any catalogue code, its placeholders filled with arbitrary (client-controlled) text."""
    spec = draw(st.sampled_from(SPECS))
    names = PLACEHOLDER.findall(spec.description)
    params = {name: draw(st.text(max_size=300)) for name in names}
    return AadstsError.of(spec.code, **params)


def contexts(client_request_id: str | None) -> RequestContext:
    """A request context as the HTTP layer makes one."""
    return RequestContext.create(client_request_id, BASE)


def trailer(ctx: RequestContext) -> str:
    """Entra's three trailer lines."""
    return f"\r\nTrace ID: {ctx.trace_id}\r\nCorrelation ID: {ctx.correlation_id}\r\nTimestamp: {entra_timestamp(ctx)}"


@PROPERTY
@given(err=errors(), client_request_id=st.one_of(st.none(), st.text(max_size=100)))
def test_description_has_exactly_the_crlf_trailer(err: AadstsError, client_request_id: str | None) -> None:
    """Whatever the client sent, the description is `AADSTSn: message` plus exactly three CRLF lines."""
    ctx = contexts(client_request_id)
    description = describe(err, ctx)
    assert description.startswith(f"AADSTS{err.code}: ")
    assert description.endswith(trailer(ctx))
    assert description.count("\r\n") == 3
    assert len(description.splitlines()) == 4


@PROPERTY
@given(client_request_id=st.one_of(st.none(), st.text(max_size=100)))
def test_correlation_id_is_echoed_only_when_well_formed(client_request_id: str | None) -> None:
    """A `client-request-id` of 1–64 letters, digits and hyphens is echoed; anything else becomes a GUID."""
    ctx = contexts(client_request_id)
    if client_request_id is not None and CORRELATION.match(client_request_id):
        assert ctx.correlation_id == client_request_id
    else:
        assert GUID.match(ctx.correlation_id)
    assert GUID.match(ctx.trace_id)


@pytest.mark.parametrize("spec", SPECS, ids=[str(spec.code) for spec in SPECS])
def test_render_json_follows_the_catalogue(spec: ErrorSpec) -> None:
    """Status and `error` are the catalogue's; 401 carries WWW-Authenticate; never cached."""
    ctx = contexts(None)
    rendered = render_json(AadstsError.of(spec.code), ctx)
    assert rendered.status == spec.http_status
    assert rendered.body["error"] == spec.oauth_error
    assert rendered.body["error_codes"] == [spec.code]
    assert rendered.headers["x-ms-request-id"] == ctx.trace_id
    assert "no-store" in rendered.headers["Cache-Control"]
    assert ("WWW-Authenticate" in rendered.headers) == (spec.http_status == 401)


def test_error_body_fields_in_entra_order() -> None:
    """The body has Entra's seven fields in Entra's order; `suberror` is added only when set."""
    ctx = RequestContext(base_url=BASE)
    err = AadstsError.of(50058)
    body = error_body(err, ctx)
    assert list(body) == ENTRA_KEYS
    assert body["error_uri"] == f"{BASE}/error?code=50058"
    assert body["timestamp"] == entra_timestamp(ctx)
    assert list(error_body(err.with_suberror("basic_action"), ctx)) == [*ENTRA_KEYS, "suberror"]


def test_timestamp_format() -> None:
    """Entra's timestamp: space separator, whole seconds, `Z`."""
    ctx = RequestContext(received_at=datetime(2024, 3, 5, 13, 14, 55, 987654, tzinfo=UTC))
    assert entra_timestamp(ctx) == "2024-03-05 13:14:55Z"


@PROPERTY
@given(err=errors(), state=st.one_of(st.none(), st.text(max_size=50)))
def test_redirect_params_round_trip(err: AadstsError, state: str | None) -> None:
    """Errors sent to a redirect URI carry error, the full description, error_uri, and state unchanged."""
    ctx = contexts(None)
    parsed = parse_qs(redirect_params(err, ctx, state), keep_blank_values=True)
    assert parsed["error"] == [err.spec.oauth_error]
    assert parsed["error_description"] == [describe(err, ctx)]
    assert parsed["error_uri"] == [f"{BASE}/error?code={err.code}"]
    assert parsed.get("state") == (None if state is None else [state])


@pytest.mark.parametrize("spec", SPECS, ids=[str(spec.code) for spec in SPECS])
def test_lookup_document_shows_placeholders_readably(spec: ErrorSpec) -> None:
    """The lookup document has its five keys and no raw `{placeholder}` (shown as ‹name› instead)."""
    document = lookup_document(spec)
    assert set(document) == {"code", "name", "error", "description", "remedy"}
    assert not PLACEHOLDER.search(document["description"])
    for name in PLACEHOLDER.findall(spec.description):
        assert f"‹{name}›" in document["description"]
