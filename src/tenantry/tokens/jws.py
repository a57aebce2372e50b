"""JWS compact serialisation (RFC 7515 §3.1, §5.2) read in one place, for every JWS this server accepts:
the access tokens it verifies (`tokens/verify.py`), the `proof` of Graph's addKey/removeKey
(`graph/proof.py`) and client assertions (`protocol/assertion.py`).

`parse_compact_jws` checks structure only and raises `JwsFormatError`; each caller turns that into its
own error and then checks `alg`, the key and the claims. Strict on purpose: exactly three parts; each
part canonical base64url without padding (so one signature has one spelling); header and payload JSON
objects in UTF-8 without `NaN`/`Infinity`; at most `MAX_COMPACT_JWS_LENGTH` characters; and no `crit`
header, since no caller understands a JWS extension (RFC 7515 §4.1.11).

Client assertions used to be verified through joserfc, which parsed the text a second time. They use
this parser and `rsa_signature_verifies` now, and lose nothing: joserfc's checks that matter here (the
`crit` rule, strict base64url, a size cap, the algorithm allow-list, the key type, PSS with a 32-byte
salt) are all made here or by the caller. The one check dropped is joserfc's typing of header
parameters no caller reads (`x5c`, `jku`, …); the ones read (`alg`, `kid`, `x5t`, `x5t#S256`) are
type-checked where they are used.
"""

from __future__ import annotations

import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from tenantry.common.ids import b64url, b64url_decode

# The longest form parameter the token endpoint reads (protocol/form.py), which is room for MSAL's
# client assertions with an `x5c` chain and for any access token of ours.
MAX_COMPACT_JWS_LENGTH = 65_536

_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
_RSA_PADDINGS: dict[str, padding.AsymmetricPadding] = {
    "RS256": padding.PKCS1v15(),
    "PS256": padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH),
}


class JwsFormatError(ValueError):
    """The text is not a JWS in compact serialisation that this server accepts."""


@dataclass(frozen=True, slots=True)
class CompactJws:
    """A parsed, not yet verified, compact JWS."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _segment(text: str, name: str) -> bytes:
    if _SEGMENT.fullmatch(text) is None:
        raise JwsFormatError(f"The {name} is not base64url without padding.")
    try:
        data = b64url_decode(text)
    except (binascii.Error, ValueError) as exc:
        raise JwsFormatError(f"The {name} is not base64url.") from exc
    if b64url(data) != text:
        raise JwsFormatError(f"The {name} is not canonical base64url.")
    return data


def _refuse_constant(name: str) -> Any:
    raise JwsFormatError(f"JSON has no {name}.")


def _json_object(text: str, name: str) -> dict[str, Any]:
    data = _segment(text, name)
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # also an integer past Python's 4300-digit limit
        raise JwsFormatError(f"The {name} is not JSON in UTF-8.") from exc
    if not isinstance(value, dict):
        raise JwsFormatError(f"The {name} is not a JSON object.")
    return value


def parse_compact_jws(text: str) -> CompactJws:
    """Header, claims, signing input and signature of `text`, or `JwsFormatError` saying what is wrong."""
    if len(text) > MAX_COMPACT_JWS_LENGTH:
        raise JwsFormatError(f"The JWS is longer than {MAX_COMPACT_JWS_LENGTH} characters.")
    parts = text.split(".")
    if len(parts) != 3:
        raise JwsFormatError("A compact JWS has three parts.")
    header = _json_object(parts[0], "header")
    if "crit" in header:
        raise JwsFormatError("The header names critical extensions ('crit'), and none is supported.")
    claims = _json_object(parts[1], "payload")
    signature = _segment(parts[2], "signature")
    return CompactJws(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def rsa_signature_verifies(jws: CompactJws, public_key: PublicKeyTypes, alg: str) -> bool:
    """Whether `jws` carries an `alg` signature (RS256, or PS256 with a 32-byte salt) by `public_key`;
    any other algorithm or key type is False."""
    pad = _RSA_PADDINGS.get(alg)
    if pad is None or not isinstance(public_key, rsa.RSAPublicKey):
        return False
    try:
        public_key.verify(jws.signature, jws.signing_input, pad, hashes.SHA256())
    except InvalidSignature:
        return False
    return True
