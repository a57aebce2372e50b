"""`presented_credentials`: client authentication parameters from body and Basic header (RFC 6749 §2.3.1)."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.client_auth import presented_credentials

PROPERTY = settings(max_examples=150, deadline=None)
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


def basic(client_id: str, secret: str) -> str:
    """A Basic header whose halves are form-urlencoded first, as the RFC requires."""
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}"
    return "Basic " + base64.b64encode(raw.encode("ascii")).decode("ascii")


@PROPERTY
@given(client_id=TEXT, secret=TEXT)
def test_basic_round_trip(client_id: str, secret: str) -> None:
    """Any id and secret (colons, `+`, `%`, non-ASCII included) survive urlencoding inside Basic."""
    presented = presented_credentials({}, basic(client_id, secret))
    assert (presented.client_id, presented.secret) == (client_id, secret)


@PROPERTY
@given(authorization=st.text(max_size=80))
def test_any_header_is_parsed_or_refused_cleanly(authorization: str) -> None:
    """A random Authorization value yields credentials or AADSTS90100 naming Authorization, nothing else."""
    try:
        presented_credentials({}, authorization)
    except AadstsError as err:
        assert (err.code, err.params.get("parameter")) == (Aadsts.InvalidRequestParameter, "Authorization")


def test_scheme_is_case_insensitive() -> None:
    """`basic` works as well as `Basic` (RFC 9110 §11.1)."""
    presented = presented_credentials({}, "basic " + basic("id", "s")[6:])
    assert (presented.client_id, presented.secret) == ("id", "s")


def test_other_schemes_are_ignored() -> None:
    """A non-Basic Authorization header carries no client credentials."""
    presented = presented_credentials({"client_id": "id", "client_secret": "s"}, "Bearer abc")
    assert (presented.client_id, presented.secret) == ("id", "s")


@pytest.mark.parametrize(
    ("form", "authorization", "parameter"),
    [
        ({"client_secret": "s"}, basic("id", "s"), "Authorization"),
        ({"client_assertion": "a.b.c"}, basic("id", "s"), "Authorization"),
        ({"client_id": "other"}, basic("id", "s"), "client_id"),
        ({"client_secret": "s", "client_assertion": "a.b.c"}, None, "client_assertion"),
        ({}, "Basic !!!", "Authorization"),
        ({}, "Basic " + base64.b64encode(b"no-colon").decode(), "Authorization"),
    ],
    ids=["basic+post", "basic+assertion", "basic-id-differs", "post+assertion", "not-base64", "no-colon"],
)
def test_conflicting_or_malformed_credentials(form: dict[str, str], authorization: str | None, parameter: str) -> None:
    """Two authentication methods, differing client ids or a broken Basic value are AADSTS90100."""
    with pytest.raises(AadstsError) as excinfo:
        presented_credentials(form, authorization)
    assert (excinfo.value.code, excinfo.value.params.get("parameter")) == (Aadsts.InvalidRequestParameter, parameter)


def test_matching_body_client_id_is_allowed() -> None:
    """A body client_id equal to the Basic one is fine (MSAL sends both)."""
    presented = presented_credentials({"client_id": "id"}, basic("id", "s"))
    assert (presented.client_id, presented.secret) == ("id", "s")
