"""Every client-credentials failure answers with its AADSTS code, status, `error` and full Entra body.

One row per check of the token endpoint (entra-reference §1.6, §3.1): the request that provokes it,
the code, status and OAuth `error` it must produce, and a fragment the description must contain
(the parameter, claim or value the client needs to fix). `assert_entra_error` checks every field.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from tenantry.apps.first_party import SYSTEM_TENANT_ID

from .conftest import (
    API_V1_URI,
    JWT_BEARER,
    Factory,
    TokenPoster,
    World,
    assert_entra_error,
    assertion_form,
    make_assertion,
    make_certificate,
    message_of,
    secret_form,
    unsigned_jwt,
)

FORM = "application/x-www-form-urlencoded"
ONE_MIB = 1_048_576
OTHER_CERT = make_certificate("not-registered")


@dataclass(frozen=True)
class Call:
    """One HTTP request to the token endpoint: a form, or raw content with headers."""

    path: str
    data: Mapping[str, str] | None = None
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """A token-endpoint check: how to trip it and what the answer must be."""

    id: str
    build: Callable[[World], Call]
    code: int
    status: int
    error: str
    mentions: str | None = None


def form(build: Callable[[World], Mapping[str, str]], segment: str | None = None) -> Callable[[World], Call]:
    """A case body posted as a normal form to the main tenant (or `segment`)."""
    return lambda w: Call(w.token_path(segment), data=build(w))


def raw(build: Callable[[World], bytes], content_type: str | None = FORM, **headers: str) -> Callable[[World], Call]:
    """A case body posted as raw bytes with the given Content-Type."""
    extra = {"content-type": content_type} if content_type else {}
    return lambda w: Call(w.token_path(), content=build(w), headers={**extra, **headers})


def without(mapping: Mapping[str, str], *names: str) -> dict[str, str]:
    """A copy of a form without some parameters."""
    return {k: v for k, v in mapping.items() if k not in names}


def signed(world: World, **kwargs: Any) -> dict[str, str]:
    """A `private_key_jwt` form for the confidential client, the assertion bent by `kwargs`."""
    assertion = make_assertion(world.cert, world.confidential.client_id, world.token_url, **kwargs)
    return assertion_form(world.confidential.client_id, assertion)


def basic(client_id: str, secret: str) -> str:
    """An `Authorization: Basic` value (RFC 6749 §2.3.1)."""
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode("ascii")


def encoded_secret_form(world: World) -> bytes:
    """The confidential client's secret form urlencoded to bytes, for cases that post raw content."""
    return urlencode(secret_form(world.confidential)).encode("ascii")


def now() -> float:
    """The current time as a JWT number."""
    return datetime.now(UTC).timestamp()


UNKNOWN_GUID = "00000000-0000-4000-8000-000000000001"

TENANT_CASES = [
    Case(
        "90002-hidden-system-tenant",
        form(lambda w: secret_form(w.confidential), SYSTEM_TENANT_ID),
        90002,
        400,
        "invalid_tenant",
        SYSTEM_TENANT_ID,
    ),
    Case(
        "90002-unknown-guid",
        form(lambda w: secret_form(w.confidential), UNKNOWN_GUID),
        90002,
        400,
        "invalid_tenant",
        UNKNOWN_GUID,
    ),
    Case(
        "90002-unknown-domain",
        form(lambda w: secret_form(w.confidential), "nowhere.example"),
        90002,
        400,
        "invalid_tenant",
        "nowhere.example",
    ),
    Case(
        "90002-not-a-name",
        form(lambda w: secret_form(w.confidential), "not_a_tenant"),
        90002,
        400,
        "invalid_tenant",
        "not_a_tenant",
    ),
    Case("9001023-common", form(lambda w: secret_form(w.confidential), "common"), 9001023, 400, "invalid_request"),
    Case(
        "9001023-organizations",
        form(lambda w: secret_form(w.confidential), "organizations"),
        9001023,
        400,
        "invalid_request",
    ),
    Case(
        "9001023-consumers", form(lambda w: secret_form(w.confidential), "consumers"), 9001023, 400, "invalid_request"
    ),
    Case(
        "9001023-alias-any-case", form(lambda w: secret_form(w.confidential), "Common"), 9001023, 400, "invalid_request"
    ),
]

CLIENT_CASES = [
    Case(
        "700016-unknown-app",
        form(lambda w: {**secret_form(w.confidential), "client_id": UNKNOWN_GUID}),
        700016,
        400,
        "unauthorized_client",
        UNKNOWN_GUID,
    ),
    Case(
        "700016-not-a-guid",
        form(lambda w: {**secret_form(w.confidential), "client_id": "my-daemon"}),
        700016,
        400,
        "unauthorized_client",
        "my-daemon",
    ),
    Case("700016-other-tenants-app", form(lambda w: secret_form(w.foreign)), 700016, 400, "unauthorized_client"),
    Case(
        "7000112-client-disabled", form(lambda w: secret_form(w.disabled_client)), 7000112, 400, "unauthorized_client"
    ),
    Case(
        "7000215-wrong-secret",
        form(lambda w: {**secret_form(w.confidential), "client_secret": "not-the-secret"}),
        7000215,
        401,
        "invalid_client",
    ),
    Case(
        "7000215-another-apps-secret",
        form(lambda w: {**secret_form(w.confidential), "client_secret": w.rotated.secret or ""}),
        7000215,
        401,
        "invalid_client",
    ),
    Case("7000222-every-secret-expired", form(lambda w: secret_form(w.expired_only)), 7000222, 401, "invalid_client"),
    Case(
        "7000222-matched-secret-expired",
        form(lambda w: {**secret_form(w.rotated), "client_secret": w.rotated_expired_secret}),
        7000222,
        401,
        "invalid_client",
    ),
    Case(
        "7000218-no-credential",
        form(lambda w: without(secret_form(w.confidential), "client_secret")),
        7000218,
        401,
        "invalid_client",
    ),
    Case(
        "7000218-app-without-credentials",
        form(
            lambda w: {
                "grant_type": "client_credentials",
                "client_id": w.no_credential.client_id,
                "scope": f"{API_V1_URI}/.default",
            }
        ),
        7000218,
        401,
        "invalid_client",
    ),
    Case("700025-public-client-secret", form(lambda w: secret_form(w.public)), 700025, 401, "invalid_client"),
    Case(
        "700025-public-client-assertion",
        form(lambda w: assertion_form(w.public.client_id, make_assertion(w.cert, w.public.client_id, w.token_url))),
        700025,
        401,
        "invalid_client",
    ),
]

PARAMETER_CASES = [
    Case(
        "900144-grant_type",
        form(lambda w: without(secret_form(w.confidential), "grant_type")),
        900144,
        400,
        "invalid_request",
        "'grant_type'",
    ),
    Case(
        "900144-grant_type-blank",
        form(lambda w: secret_form(w.confidential, grant_type="")),
        900144,
        400,
        "invalid_request",
        "'grant_type'",
    ),
    Case(
        "900144-client_id",
        form(lambda w: without(secret_form(w.confidential), "client_id")),
        900144,
        400,
        "invalid_request",
        "'client_id'",
    ),
    Case(
        "900144-scope",
        form(lambda w: without(secret_form(w.confidential), "scope")),
        900144,
        400,
        "invalid_request",
        "'scope'",
    ),
    Case(
        "900144-scope-whitespace",
        form(lambda w: secret_form(w.confidential, scope="   ")),
        900144,
        400,
        "invalid_request",
        "'scope'",
    ),
    Case(
        "900144-client_assertion_type",
        form(lambda w: without(signed(w), "client_assertion_type")),
        900144,
        400,
        "invalid_request",
        "'client_assertion_type'",
    ),
    Case(
        "70003-saml2-bearer",
        form(lambda w: secret_form(w.confidential, grant_type="urn:ietf:params:oauth:grant-type:saml2-bearer")),
        70003,
        400,
        "unsupported_grant_type",
        "'urn:ietf:params:oauth:grant-type:saml2-bearer'",
    ),
    Case(
        "70003-made-up",
        form(lambda w: secret_form(w.confidential, grant_type="magic")),
        70003,
        400,
        "unsupported_grant_type",
        "'magic'",
    ),
]

SCOPE_CASES = [
    Case(
        "70011-two-scopes",
        form(lambda w: secret_form(w.confidential, scope=f"{API_V1_URI}/.default {w.api_v2.app_id}/.default")),
        70011,
        400,
        "invalid_scope",
    ),
    Case(
        "70011-not-default",
        form(lambda w: secret_form(w.confidential, scope=f"{API_V1_URI}/Orders.Read")),
        70011,
        400,
        "invalid_scope",
        f"{API_V1_URI}/Orders.Read",
    ),
    Case(
        "70011-openid",
        form(lambda w: secret_form(w.confidential, scope="openid")),
        70011,
        400,
        "invalid_scope",
        "'openid'",
    ),
    Case(
        "28002-empty-resource",
        form(lambda w: secret_form(w.confidential, scope="/.default")),
        28002,
        400,
        "invalid_scope",
        "'/.default'",
    ),
    Case(
        "500011-unknown-uri",
        form(lambda w: secret_form(w.confidential, scope="api://nowhere/.default")),
        500011,
        400,
        "invalid_resource",
        "api://nowhere",
    ),
    Case(
        "500011-unknown-guid",
        form(lambda w: secret_form(w.confidential, scope=f"{UNKNOWN_GUID}/.default")),
        500011,
        400,
        "invalid_resource",
        UNKNOWN_GUID,
    ),
    Case(
        "500011-app-of-other-tenant",
        form(lambda w: secret_form(w.confidential, scope=f"{w.foreign.client_id}/.default")),
        500011,
        400,
        "invalid_resource",
    ),
    Case(
        "500014-resource-disabled",
        form(lambda w: secret_form(w.confidential, scope=f"{w.disabled_api.app_id}/.default")),
        500014,
        400,
        "invalid_resource",
    ),
    Case(
        "50105-assignment-required",
        form(lambda w: secret_form(w.confidential, scope="api://contoso/locked/.default")),
        50105,
        400,
        "access_denied",
    ),
]

ASSERTION_CASES = [
    Case("700027-wrong-key", form(lambda w: signed(w, signer=OTHER_CERT)), 700027, 401, "invalid_client"),
    Case(
        "700027-ps256-wrong-key",
        form(lambda w: signed(w, alg="PS256", signer=OTHER_CERT)),
        700027,
        401,
        "invalid_client",
    ),
    Case(
        "700027-unknown-thumbprint",
        form(
            lambda w: assertion_form(
                w.confidential.client_id, make_assertion(OTHER_CERT, w.confidential.client_id, w.token_url)
            )
        ),
        700027,
        401,
        "invalid_client",
        "thumbprint",
    ),
    Case(
        "700027-no-thumbprint",
        form(lambda w: signed(w, header={"x5t": None})),
        700027,
        401,
        "invalid_client",
        "thumbprint",
    ),
    Case(
        "700027-alg-none",
        form(
            lambda w: assertion_form(
                w.confidential.client_id, unsigned_jwt({"alg": "none", "x5t": w.cert.x5t}, {"aud": w.token_url})
            )
        ),
        700027,
        401,
        "invalid_client",
        "RS256",
    ),
    Case(
        "500133-expired",
        form(lambda w: signed(w, claims={"iat": now() - 1200, "nbf": now() - 1200, "exp": now() - 400})),
        500133,
        400,
        "invalid_grant",
        "expired",
    ),
    Case(
        "500133-not-yet-valid",
        form(lambda w: signed(w, claims={"nbf": now() + 400, "exp": now() + 1000})),
        500133,
        400,
        "invalid_grant",
        "not valid before",
    ),
    *[
        Case(
            f"90014-missing-{claim}",
            form(lambda w, claim=claim: signed(w, omit=(claim,))),
            90014,
            400,
            "invalid_request",
            f"'{claim}'",
        )
        for claim in ("aud", "iss", "sub", "exp", "jti")
    ],
    Case("90014-empty-jti", form(lambda w: signed(w, claims={"jti": ""})), 90014, 400, "invalid_request", "'jti'"),
    Case(
        "50012-wrong-aud",
        form(lambda w: signed(w, claims={"aud": "https://login.microsoftonline.com/x/oauth2/v2.0/token"})),
        50012,
        401,
        "invalid_client",
        "'aud'",
    ),
    Case(
        "50012-aud-other-tenant",
        form(lambda w: signed(w, claims={"aud": f"https://localhost:8443/{w.other_tenant.id}/oauth2/v2.0/token"})),
        50012,
        401,
        "invalid_client",
        "'aud'",
    ),
    Case(
        "50012-iss-not-client",
        form(lambda w: signed(w, claims={"iss": UNKNOWN_GUID})),
        50012,
        401,
        "invalid_client",
        "'iss'",
    ),
    Case(
        "50012-sub-not-client",
        form(lambda w: signed(w, claims={"sub": UNKNOWN_GUID})),
        50012,
        401,
        "invalid_client",
        "'sub'",
    ),
    Case(
        "50027-one-part",
        form(lambda w: assertion_form(w.confidential.client_id, "not-a-jwt")),
        50027,
        400,
        "invalid_grant",
    ),
    Case(
        "50027-bad-base64",
        form(lambda w: assertion_form(w.confidential.client_id, "a.b.c")),
        50027,
        400,
        "invalid_grant",
    ),
    Case(
        "50027-header-not-object",
        form(lambda w: assertion_form(w.confidential.client_id, unsigned_jwt(["RS256"], {}))),
        50027,
        400,
        "invalid_grant",
    ),
    Case(
        "50027-exp-not-number",
        form(lambda w: signed(w, claims={"exp": "tomorrow"})),
        50027,
        400,
        "invalid_grant",
        "'exp'",
    ),
]

MALFORMED_CASES = [
    Case(
        "90100-json-content-type",
        raw(lambda w: b'{"grant_type":"client_credentials"}', "application/json"),
        90100,
        400,
        "invalid_request",
        "'Content-Type'",
    ),
    Case("90100-no-content-type", raw(encoded_secret_form, None), 90100, 400, "invalid_request", "'Content-Type'"),
    Case(
        "90100-multipart",
        raw(lambda w: b"--x--\r\n", "multipart/form-data; boundary=x"),
        90100,
        400,
        "invalid_request",
        "'Content-Type'",
    ),
    Case(
        "90100-bad-utf8",
        raw(lambda w: b"grant_type=client_credentials&client_id=%FF%FE"),
        90100,
        400,
        "invalid_request",
        "'body'",
    ),
    Case("90100-bad-utf8-raw-byte", raw(lambda w: b"grant_type=\xff"), 90100, 400, "invalid_request", "'body'"),
    Case(
        "90100-duplicate-scope",
        raw(lambda w: encoded_secret_form(w) + b"&scope=x%2F.default"),
        90100,
        400,
        "invalid_request",
        "'scope'",
    ),
    Case(
        "90100-duplicate-grant_type",
        raw(lambda w: b"grant_type=client_credentials&" + encoded_secret_form(w)),
        90100,
        400,
        "invalid_request",
        "'grant_type'",
    ),
    Case(
        "90100-parameter-over-64KiB",
        form(lambda w: secret_form(w.confidential, scope="a" * 65_537)),
        90100,
        400,
        "invalid_request",
        "'scope'",
    ),
    Case(
        "90100-too-many-parameters",
        form(lambda w: {**secret_form(w.confidential), **{f"p{i}": "v" for i in range(64)}}),
        90100,
        400,
        "invalid_request",
        "'body'",
    ),
    Case("90100-body-over-1MiB", raw(lambda w: b"a=" + b"b" * ONE_MIB), 90100, 400, "invalid_request", "'body'"),
    Case(
        "90100-secret-and-assertion",
        form(lambda w: {**signed(w), "client_secret": w.confidential.secret or ""}),
        90100,
        400,
        "invalid_request",
        "'client_assertion'",
    ),
    Case(
        "90100-basic-and-post",
        lambda w: Call(
            w.token_path(),
            data=secret_form(w.confidential),
            headers={"Authorization": basic(w.confidential.client_id, w.confidential.secret or "")},
        ),
        90100,
        400,
        "invalid_request",
        "'Authorization'",
    ),
    Case(
        "90100-basic-and-assertion",
        lambda w: Call(
            w.token_path(),
            data=signed(w),
            headers={"Authorization": basic(w.confidential.client_id, w.confidential.secret or "")},
        ),
        90100,
        400,
        "invalid_request",
        "'Authorization'",
    ),
    Case(
        "90100-basic-client_id-differs",
        lambda w: Call(
            w.token_path(),
            data={**without(secret_form(w.confidential), "client_secret"), "client_id": w.rotated.client_id},
            headers={"Authorization": basic(w.confidential.client_id, w.confidential.secret or "")},
        ),
        90100,
        400,
        "invalid_request",
        "'client_id'",
    ),
    Case(
        "90100-basic-not-base64",
        lambda w: Call(
            w.token_path(),
            data=without(secret_form(w.confidential), "client_secret"),
            headers={"Authorization": "Basic !!!not base64!!!"},
        ),
        90100,
        400,
        "invalid_request",
        "'Authorization'",
    ),
    Case(
        "90100-basic-no-colon",
        lambda w: Call(
            w.token_path(),
            data=without(secret_form(w.confidential), "client_secret"),
            headers={"Authorization": "Basic " + base64.b64encode(b"just-an-id").decode()},
        ),
        90100,
        400,
        "invalid_request",
        "'Authorization'",
    ),
    Case(
        "90100-basic-not-utf8",
        lambda w: Call(
            w.token_path(),
            data=without(secret_form(w.confidential), "client_secret"),
            headers={"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xfd").decode()},
        ),
        90100,
        400,
        "invalid_request",
        "'Authorization'",
    ),
    Case(
        "90100-assertion-type-not-urn",
        form(lambda w: {**signed(w), "client_assertion_type": "jwt"}),
        90100,
        400,
        "invalid_request",
        "'client_assertion_type'",
    ),
    Case(
        "90100-assertion-type-saml",
        form(lambda w: {**signed(w), "client_assertion_type": JWT_BEARER.replace("jwt-bearer", "saml2-bearer")}),
        90100,
        400,
        "invalid_request",
        "'client_assertion_type'",
    ),
]

ALL_CASES = [*TENANT_CASES, *CLIENT_CASES, *PARAMETER_CASES, *SCOPE_CASES, *ASSERTION_CASES, *MALFORMED_CASES]


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.id for case in ALL_CASES])
def test_token_endpoint_error(case: Case, world: World, token: TokenPoster) -> None:
    """Each check answers with its catalogue row and Entra's full error body, naming what to fix."""
    call = case.build(world)
    response = token(call.path, call.data, content=call.content, headers=call.headers)
    body = assert_entra_error(response, case.code, case.status, case.error)
    if case.mentions is not None:
        assert case.mentions in message_of(body)


def test_codes_cover_the_brief() -> None:
    """The table exercises every client-credentials code the token endpoint defines (900561: test_methods)."""
    expected = {
        90002, 700016, 7000215, 7000222, 7000218, 700025, 900144, 70003, 70011, 28002, 500011, 500014,
        7000112, 50105, 700027, 500133, 90014, 50012, 50027, 9001023, 90100,
    }  # fmt: skip
    assert {case.code for case in ALL_CASES} == expected


def test_body_over_limit_streamed_without_length(world: World, token: TokenPoster) -> None:
    """A chunked body with no Content-Length is still cut off past 1 MiB (AADSTS90100 naming 'body')."""

    def chunks() -> Iterator[bytes]:
        for _ in range(17):
            yield b"a" * 65_536

    response = token.client.post(world.token_path(), content=chunks(), headers={"content-type": FORM})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    body = assert_entra_error(response, 90100, 400, "invalid_request")
    assert "'body'" in message_of(body)


def test_replayed_assertion_is_refused(world: World, token: TokenPoster) -> None:
    """A client assertion's jti works once; the same assertion again is AADSTS50012 (RFC 7523 §3 item 7)."""
    data = signed(world)
    first = token(world.token_path(), data)
    assert first.status_code == 200, first.text
    second = token(world.token_path(), data)
    body = assert_entra_error(second, 50012, 401, "invalid_client")
    assert "jti" in message_of(body)


def test_unknown_tenant_is_checked_before_the_client(world: World, token: TokenPoster) -> None:
    """With both tenant and client wrong, the tenant is reported (Entra resolves the authority first)."""
    data = {**secret_form(world.confidential), "client_id": str(uuid.uuid4())}
    response = token(f"/{uuid.uuid4()}/oauth2/v2.0/token", data)
    assert_entra_error(response, 90002, 400, "invalid_tenant")


def test_scope_is_checked_after_the_client(world: World, token: TokenPoster) -> None:
    """A wrong secret with a bad scope reports the secret: the client is authenticated first."""
    data = secret_form(world.confidential, scope="openid", client_secret="wrong")
    assert_entra_error(token(world.token_path(), data), 7000215, 401, "invalid_client")


def test_future_cert_counts_as_not_valid(factory: Factory, world: World, token: TokenPoster) -> None:
    """A registered certificate that is not valid yet cannot sign assertions (AADSTS700027)."""
    cert = make_certificate("future", not_before=datetime.now(UTC) + timedelta(days=1))
    client = factory.client(world.tenant, "Future-cert daemon", secret=False)
    factory.certificate(client.app, cert)
    data = assertion_form(client.client_id, make_assertion(cert, client.client_id, world.token_url))
    body = assert_entra_error(token(world.token_path(), data), 700027, 401, "invalid_client")
    assert "expired or is not yet valid" in message_of(body)
