"""The one JWS compact parser (tokens/jws.py): what it accepts, what it refuses, and that arbitrary text
never raises anything but `JwsFormatError`."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import given
from hypothesis import strategies as st

from tenantry.common.ids import b64url
from tenantry.tokens.jws import (
    MAX_COMPACT_JWS_LENGTH,
    JwsFormatError,
    parse_compact_jws,
    rsa_signature_verifies,
)

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _segment(value: Any) -> str:
    return b64url(json.dumps(value).encode())


def _compact(header: Any, claims: Any, signature: bytes = b"sig") -> str:
    return f"{_segment(header)}.{_segment(claims)}.{b64url(signature)}"


def _signed(alg: str, claims: dict[str, Any]) -> str:
    signing_input = f"{_segment({'alg': alg})}.{_segment(claims)}"
    pad: padding.AsymmetricPadding = (
        padding.PKCS1v15() if alg == "RS256" else padding.PSS(padding.MGF1(hashes.SHA256()), 32)
    )
    return signing_input + "." + b64url(_KEY.sign(signing_input.encode(), pad, hashes.SHA256()))


def test_parses_header_claims_signing_input_and_signature() -> None:
    text = _compact({"alg": "RS256", "kid": "k"}, {"sub": "s", "exp": 1.5}, b"\x00\xff")
    jws = parse_compact_jws(text)
    assert jws.header == {"alg": "RS256", "kid": "k"}
    assert jws.claims == {"sub": "s", "exp": 1.5}
    assert jws.signing_input == text.rsplit(".", 1)[0].encode()
    assert jws.signature == b"\x00\xff"


_HEADER, _CLAIMS = _segment({"alg": "RS256"}), _segment({"sub": "s"})
_NAN = b64url(b'{"exp": NaN}')
_UTF16 = b64url(json.dumps({"s": "é"}).encode("utf-16"))
_DEEP = b64url(b"[" * 10_000)
_LONG_INT = b64url(b'{"exp": ' + b"9" * 5000 + b"}")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "three parts"),
        (f"{_HEADER}.{_CLAIMS}", "three parts"),
        (f"{_HEADER}.{_CLAIMS}.c2ln.c2ln", "three parts"),
        (f"{_HEADER}=.{_CLAIMS}.c2ln", "without padding"),
        (f"{_HEADER}.{_CLAIMS}.c2ln=", "without padding"),
        (f"{_HEADER}.{_CLAIMS}.c2l+", "without padding"),
        (f"{_HEADER}.{_CLAIMS}. c2ln", "without padding"),
        (f"{_HEADER}.{_CLAIMS}.c2l", "canonical"),  # "si" is c2k; c2l sets bits past the last byte
        (f"{_HEADER}.{_CLAIMS}.A", "not base64url"),
        (f"{_segment([1])}.{_CLAIMS}.c2ln", "not a JSON object"),
        (f"{_HEADER}.{_segment('text')}.c2ln", "not a JSON object"),
        (f"{_HEADER}.{b64url(b'{')}.c2ln", "not JSON in UTF-8"),
        (f"{_HEADER}.{_NAN}.c2ln", "not JSON in UTF-8"),
        (f"{_HEADER}.{_UTF16}.c2ln", "not JSON in UTF-8"),
        (f"{_HEADER}.{_DEEP}.c2ln", "not JSON in UTF-8"),
        (f"{_HEADER}.{_LONG_INT}.c2ln", "not JSON in UTF-8"),
        (_compact({"alg": "RS256", "crit": ["exp"], "exp": 1}, {}), "crit"),
        (_compact({"alg": "RS256"}, {"pad": "x" * MAX_COMPACT_JWS_LENGTH}), "longer than"),
    ],
)
def test_refuses_what_is_not_a_strict_compact_jws(text: str, why: str) -> None:
    with pytest.raises(JwsFormatError, match=why):
        parse_compact_jws(text)


@pytest.mark.parametrize("alg", ["RS256", "PS256"])
def test_rsa_signatures_verify_for_their_algorithm_only(alg: str) -> None:
    jws = parse_compact_jws(_signed(alg, {"sub": "s"}))
    assert rsa_signature_verifies(jws, _KEY.public_key(), alg)
    assert not rsa_signature_verifies(jws, _KEY.public_key(), "PS256" if alg == "RS256" else "RS256")
    assert not rsa_signature_verifies(jws, _KEY.public_key(), "HS256")
    assert not rsa_signature_verifies(jws, ec.generate_private_key(ec.SECP256R1()).public_key(), alg)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    assert not rsa_signature_verifies(jws, other, alg)


@given(st.text())
def test_arbitrary_text_raises_only_its_own_error(text: str) -> None:
    with contextlib.suppress(JwsFormatError):
        parse_compact_jws(text)


_SEGMENT_ALPHABET = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=.")


@given(st.text(_SEGMENT_ALPHABET, max_size=200))
def test_text_made_of_jws_characters_raises_only_its_own_error(text: str) -> None:
    with contextlib.suppress(JwsFormatError):
        parse_compact_jws(text)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), _JSON, max_size=5), st.dictionaries(st.text(), _JSON, max_size=5), st.binary())
def test_any_objects_round_trip(header: dict[str, Any], claims: dict[str, Any], signature: bytes) -> None:
    header.pop("crit", None)
    jws = parse_compact_jws(_compact(header, claims, signature))
    assert (jws.header, jws.claims, jws.signature) == (header, claims, signature)
