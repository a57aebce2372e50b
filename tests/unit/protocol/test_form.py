"""`tenantry.protocol.form`: strict parsing of form bodies (RFC 6749 §3.1, §3.2).

Properties: unique, well-encoded pairs round-trip exactly; a repeated name is always AADSTS90100
naming it; arbitrary bytes produce a mapping or AADSTS90100, never another exception.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.form import (
    MAX_PARAMETER_LENGTH,
    MAX_PARAMETERS,
    check_content_type,
    form_pairs,
    parse_form,
    require,
)

PROPERTY = settings(max_examples=150, deadline=None)
# Non-empty text that survives UTF-8 encoding (lone surrogates cannot be sent).
# NUL is refused on its own (see test_nul_is_refused), so the round-trip properties draw without it.
NON_EMPTY = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=40)
PAIRS = st.dictionaries(NON_EMPTY, NON_EMPTY, max_size=MAX_PARAMETERS)


def error_of(excinfo: pytest.ExceptionInfo[AadstsError]) -> tuple[int, str | None]:
    """The code and the parameter an AADSTS error names."""
    return excinfo.value.code, excinfo.value.params.get("parameter")


@PROPERTY
@given(pairs=PAIRS)
def test_unique_pairs_round_trip(pairs: dict[str, str]) -> None:
    """Whatever the characters, urlencoded unique non-empty pairs parse back to the same mapping."""
    assert dict(parse_form(urlencode(pairs).encode("utf-8"))) == pairs


@PROPERTY
@given(pairs=PAIRS.filter(bool), data=st.data())
def test_duplicates_are_rejected(pairs: dict[str, str], data: st.DataObject) -> None:
    """Sending any parameter twice (with any value) is AADSTS90100 naming that parameter."""
    name = data.draw(st.sampled_from(sorted(pairs)))
    again = data.draw(NON_EMPTY)
    body = urlencode([*pairs.items(), (name, again)]).encode("utf-8")
    with pytest.raises(AadstsError) as excinfo:
        parse_form(body)
    assert error_of(excinfo) == (Aadsts.InvalidRequestParameter, name[:64])


@PROPERTY
@given(body=st.binary(max_size=512))
def test_arbitrary_bytes_parse_or_fail_cleanly(body: bytes) -> None:
    """Random bytes give a read-only mapping of non-empty values, or AADSTS90100 — nothing else."""
    try:
        params = parse_form(body)
    except AadstsError as err:
        assert err.code == Aadsts.InvalidRequestParameter
        return
    assert all(value for value in params.values())
    with pytest.raises(TypeError):
        params["x"] = "y"  # type: ignore[index]


def test_blank_values_are_omitted() -> None:
    """A parameter sent without a value counts as not sent (RFC 6749 §3.1)."""
    assert dict(parse_form(b"scope=&grant_type=client_credentials&client_id")) == {"grant_type": "client_credentials"}


def test_blank_value_does_not_count_as_duplicate() -> None:
    """`scope=&scope=x` is one scope: the blank one was never sent."""
    assert dict(parse_form(b"scope=&scope=x")) == {"scope": "x"}


def test_plus_and_percent_decoding() -> None:
    """`+` is a space and %XX is UTF-8 (application/x-www-form-urlencoded)."""
    assert dict(parse_form(b"a=b+c&d=%C3%BC%2B")) == {"a": "b c", "d": "ü+"}


@pytest.mark.parametrize("body", [b"\xff=1", b"a=%FF", b"a=%C3", b"%80=x"], ids=["raw", "escape", "truncated", "name"])
def test_bad_utf8_is_rejected(body: bytes) -> None:
    """Bytes or escapes that are not UTF-8 are AADSTS90100 naming the body."""
    with pytest.raises(AadstsError) as excinfo:
        parse_form(body)
    assert error_of(excinfo) == (Aadsts.InvalidRequestParameter, "body")


def test_value_length_limit() -> None:
    """A value may be 64 KiB; one character more is AADSTS90100 naming the parameter."""
    assert len(parse_form(b"scope=" + b"a" * MAX_PARAMETER_LENGTH)["scope"]) == MAX_PARAMETER_LENGTH
    with pytest.raises(AadstsError) as excinfo:
        parse_form(b"scope=" + b"a" * (MAX_PARAMETER_LENGTH + 1))
    assert error_of(excinfo) == (Aadsts.InvalidRequestParameter, "scope")


def test_name_length_limit() -> None:
    """A name longer than 256 characters is refused, and the error echoes at most 64 of them."""
    assert parse_form(b"n" * 256 + b"=1")
    with pytest.raises(AadstsError) as excinfo:
        parse_form(b"n" * 257 + b"=1")
    assert error_of(excinfo) == (Aadsts.InvalidRequestParameter, "n" * 64)


def test_parameter_count_limit() -> None:
    """64 parameters are fine; 65 is AADSTS90100 naming the body."""
    assert len(parse_form(urlencode({f"p{i}": "v" for i in range(MAX_PARAMETERS)}).encode())) == MAX_PARAMETERS
    with pytest.raises(AadstsError) as excinfo:
        parse_form(urlencode({f"p{i}": "v" for i in range(MAX_PARAMETERS + 1)}).encode())
    assert error_of(excinfo) == (Aadsts.InvalidRequestParameter, "body")


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "Application/X-WWW-Form-Urlencoded",
    ],
)
def test_form_content_types_are_accepted(content_type: str) -> None:
    """The form media type is accepted with parameters and in any case."""
    check_content_type(content_type)


@pytest.mark.parametrize(
    "content_type", [None, "", "application/json", "text/plain", "multipart/form-data; boundary=x"]
)
def test_other_content_types_are_rejected(content_type: str | None) -> None:
    """Anything but a form post is AADSTS90100 naming Content-Type (RFC 6749 §3.2)."""
    with pytest.raises(AadstsError) as excinfo:
        check_content_type(content_type)
    assert error_of(excinfo) == (Aadsts.InvalidRequestParameter, "Content-Type")


@pytest.mark.parametrize("form", [{}, {"scope": " "}, {"scope": "\t\n"}], ids=["absent", "space", "whitespace"])
def test_require_missing_or_blank(form: dict[str, str]) -> None:
    """A required parameter that is absent or only whitespace is AADSTS900144 naming it."""
    with pytest.raises(AadstsError) as excinfo:
        require(form, "scope")
    assert error_of(excinfo) == (Aadsts.MissingRequestParameter, "scope")


def test_require_returns_the_value() -> None:
    """A present parameter is returned unchanged (no trimming)."""
    assert require({"scope": " x "}, "scope") == " x "


@pytest.mark.parametrize("body", [b"a%00=1", b"a=x%00y"], ids=["name", "value"])
def test_nul_is_refused(body: bytes) -> None:
    """A NUL anywhere is malformed input (AADSTS90100): PostgreSQL text cannot even store it."""
    with pytest.raises(AadstsError) as excinfo:
        parse_form(body)
    assert excinfo.value.code == 90100


@PROPERTY
@given(st.text(alphabet=st.sampled_from("ab=&%+2F41éx\x7f; "), max_size=60))
def test_form_pairs_agree_with_parse_qsl(text: str) -> None:
    """The hand-rolled splitter decodes exactly as the standard library does, malformed escapes included."""
    try:
        expected: list[tuple[str, str]] | type[UnicodeDecodeError] = parse_qsl(text, errors="strict")
    except UnicodeDecodeError:
        expected = UnicodeDecodeError
    try:
        actual: list[tuple[str, str]] | type[UnicodeDecodeError] = form_pairs(text)
    except UnicodeDecodeError:
        actual = UnicodeDecodeError
    assert actual == expected
