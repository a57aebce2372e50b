"""The access log's redaction (issue 9 §3): share tokens and secret query values never reach it; the rest
of the request target stays as the operator needs it."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenantry.server.access_log import (
    REDACTED,
    SECRET_QUERY_PARAMETERS,
    AccessLogRedactor,
    install_access_log_redactor,
    redact_target,
)

CASES = [
    ("/share/AbC123-_x", "/share/<redacted>"),
    ("/share/AbC123?x=1", "/share/<redacted>?x=1"),
    ("/%73hare/AbC123", "/%73hare/<redacted>"),  # Starlette routes on the decoded path
    ("/SHARE/AbC123/more", "/SHARE/<redacted>"),
    ("/share", "/share"),
    ("/login?flow=fl.s3cr3t", "/login?flow=<redacted>"),
    ("/tid/oauth2/v2.0/authorize/resume?flow=fl.s3cr3t", "/tid/oauth2/v2.0/authorize/resume?flow=<redacted>"),
    (
        "/tid/oauth2/v2.0/authorize?client_id=c1&state=st4te&nonce=n0nce&scope=openid",
        "/tid/oauth2/v2.0/authorize?client_id=c1&state=<redacted>&nonce=<redacted>&scope=openid",
    ),
    ("/cb?code=0.AAA&session_state=abc&state=", "/cb?code=<redacted>&session_state=<redacted>&state="),
    ("/devicelogin?otc=ABCD1234", "/devicelogin?otc=<redacted>"),
    ("/x?fl%6Fw=s3cr3t&Code=c0de&access_token=eyJ", "/x?fl%6Fw=<redacted>&Code=<redacted>&access_token=<redacted>"),
    ("/x?flow&a=b&&c", "/x?flow&a=b&&c"),
    ("/common/v2.0/.well-known/openid-configuration", "/common/v2.0/.well-known/openid-configuration"),
    ("/v1.0/applications?$filter=displayName eq 'x'", "/v1.0/applications?$filter=displayName eq 'x'"),
    ("*", "*"),
]


@pytest.mark.parametrize(("target", "logged"), CASES)
def test_redact_target(target: str, logged: str) -> None:
    """A table of request targets and what the access log records for each."""
    assert redact_target(target) == logged


SECRET = st.text(st.characters(codec="ascii", categories=("L", "N")) | st.sampled_from("-._~%+"), min_size=8)
NAME = st.sampled_from(sorted(SECRET_QUERY_PARAMETERS))
SAFE = st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=12)


@given(
    secret=SECRET,
    name=NAME,
    before=st.lists(st.tuples(SAFE, SAFE), max_size=3),
    after=st.lists(st.tuples(SAFE, SAFE), max_size=3),
    path=st.sampled_from(["/login", "/share", "/devicelogin", "/t/oauth2/v2.0/authorize"]),
)
def test_no_secret_value_survives_among_other_parameters(
    secret: str, name: str, before: list[tuple[str, str]], after: list[tuple[str, str]], path: str
) -> None:
    """Whatever the value and its neighbours, a secret parameter's value is gone and the others remain."""
    marked = f"S3CR3T{secret}"
    others = [(f"p{k}", v) for k, v in before + after]
    pairs = [f"{k}={v}" for k, v in others[: len(before)]] + [f"{name}={marked}"]
    pairs += [f"{k}={v}" for k, v in others[len(before) :]]
    logged = redact_target(f"{path}?{'&'.join(pairs)}")
    assert marked not in logged
    assert f"{name}={REDACTED}" in logged
    assert all(f"{k}={v}" in logged for k, v in others)


@given(token=SECRET, rest=st.sampled_from(["", "/x", "?a=b"]))
def test_no_share_token_survives(token: str, rest: str) -> None:
    """Any share token, raw or percent-encoded, is replaced; only the segment name remains."""
    for encoded in (token, quote(token, safe="")):
        logged = redact_target(f"/share/S3CR3T{encoded}{rest}")
        assert "S3CR3T" not in logged and logged.startswith("/share/<redacted>")


def test_filter_rewrites_uvicorns_access_record() -> None:
    """uvicorn's access record: (client, method, target, version, status); only the target changes."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/share/tok3n?flow=fl.x", "1.1", 200),
        None,
    )
    assert AccessLogRedactor().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /share/<redacted>?flow=<redacted> HTTP/1.1" 200'


def test_install_is_idempotent() -> None:
    """Installing twice leaves one filter on the logger."""
    name = "tenantry.test.access"
    install_access_log_redactor(name)
    install_access_log_redactor(name)
    logger = logging.getLogger(name)
    assert sum(isinstance(f, AccessLogRedactor) for f in logger.filters) == 1
