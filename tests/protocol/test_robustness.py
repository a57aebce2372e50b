"""Hostile input never breaks the token and discovery endpoints (hypothesis).

Whatever the body, the tenant segment, the Authorization header or the assertion, the answer is a
4xx JSON object with an `error` — never a 5xx, never HTML, never a stack trace (style P3).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import JSON_UTF8, JWT_BEARER, TokenPoster, World, secret_form

FORM_HEADERS = {"content-type": "application/x-www-form-urlencoded"}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PARAMETER_NAMES = ["grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type", "scope"]
# Text that survives UTF-8 encoding (lone surrogates cannot be sent).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)


def assert_json_error(response: httpx.Response) -> None:
    """A client error answered as JSON with an `error` field."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"] == JSON_UTF8
    body = response.json()
    assert isinstance(body, dict)
    assert isinstance(body.get("error"), str)


@FUZZ
@given(body=st.binary(max_size=2048))
def test_random_bytes_body(world: World, token: TokenPoster, body: bytes) -> None:
    """Arbitrary bytes posted as a form body are refused cleanly."""
    assert_json_error(token(world.token_path(), content=body, headers=FORM_HEADERS))


@FUZZ
@given(body=TEXT)
def test_random_text_body(world: World, token: TokenPoster, body: str) -> None:
    """Arbitrary text (unencoded, so `&`, `=`, `%` and non-ASCII appear raw) is refused cleanly."""
    assert_json_error(token(world.token_path(), content=body.encode("utf-8"), headers=FORM_HEADERS))


@FUZZ
@given(
    form=st.dictionaries(
        st.one_of(st.sampled_from(PARAMETER_NAMES), TEXT),
        st.one_of(TEXT, st.sampled_from(["client_credentials", JWT_BEARER, "api://contoso/orders/.default"])),
        max_size=8,
    )
)
def test_random_parameters(world: World, token: TokenPoster, form: dict[str, str]) -> None:
    """Well-encoded forms with random names and values reach deep into validation and still fail cleanly."""
    assert_json_error(token(world.token_path(), content=urlencode(form).encode("utf-8"), headers=FORM_HEADERS))


@FUZZ
@given(segment=TEXT.filter(lambda s: s.strip() != ""))
def test_random_tenant_segment_token(world: World, token: TokenPoster, segment: str) -> None:
    """A valid request to a random tenant segment is a clean error (90002, 9001023, or a 404 for odd paths)."""
    response = token(f"/{quote(segment, safe='')}/oauth2/v2.0/token", secret_form(world.confidential))
    assert_json_error(response)


@FUZZ
@given(segment=TEXT.filter(lambda s: s.strip() != ""))
def test_random_tenant_segment_metadata(token: TokenPoster, segment: str) -> None:
    """Metadata for a random tenant segment is JSON: a document for an alias, else a clean error."""
    response = token.client.get(f"/{quote(segment, safe='')}/v2.0/.well-known/openid-configuration")
    if response.status_code == 200:
        assert segment.lower() in {"common", "organizations", "consumers"}
        assert "issuer" in response.json()
    else:
        assert_json_error(response)


@FUZZ
@given(authorization=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=120))
def test_random_authorization_header(world: World, token: TokenPoster, authorization: str) -> None:
    """Any printable Authorization header (Basic or not) with a secret-less form fails cleanly."""
    form = {k: v for k, v in secret_form(world.confidential).items() if k != "client_secret"}
    headers = {"Authorization": authorization.strip() or "Basic"}
    assert_json_error(token(world.token_path(), form, headers=headers))


@FUZZ
@given(
    assertion=st.one_of(
        TEXT,
        st.lists(
            st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=", max_size=60),
            min_size=1,
            max_size=4,
        ).map(".".join),
    )
)
def test_random_client_assertion(world: World, token: TokenPoster, assertion: str) -> None:
    """Random strings and JWS-shaped base64url garbage as `client_assertion` fail cleanly."""
    form = {
        "grant_type": "client_credentials",
        "client_id": world.confidential.client_id,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
        "scope": "api://contoso/orders/.default",
    }
    assert_json_error(token(world.token_path(), form))
