"""Verifying access tokens this server issued: on-behalf-of assertions and userinfo bearer tokens.

Checks, in order (RFC 7515 §5.2, RFC 7519 §7.2, entra-reference §2.1–2.2): a compact JWS; `alg` RS256
and a `kid` among the keys we publish; the signature; an issuer of ours for the token's `tid`
(`{base}/{tid}/v2.0` for v2, `{base}/{tid}/` for v1, `base` the public URL); `exp` with the
configured clock skew. Failures are AADSTS50013 (invalid assertion) and AADSTS500133 (expired).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tenantry.errors import Aadsts, AadstsError
from tenantry.tokens.claims import BACKDATE_SECONDS, issuer_for
from tenantry.tokens.jws import CompactJws, JwsFormatError, parse_compact_jws, rsa_signature_verifies
from tenantry.tokens.keys import ActiveKey


@dataclass(frozen=True, slots=True)
class VerifiedAccessToken:
    """The claims of a signature-checked access token of ours."""

    claims: Mapping[str, Any]

    @property
    def tenant_id(self) -> str:
        """`tid`."""
        return str(self.claims["tid"])

    @property
    def client_id(self) -> str:
        """The app the token was issued to: `azp` (v2) or `appid` (v1)."""
        return str(self.claims.get("azp") or self.claims.get("appid") or "")

    @property
    def user_id(self) -> str:
        """`oid`: the user of a delegated token (the client's service principal in an app-only one)."""
        return str(self.claims.get("oid", ""))

    @property
    def scopes(self) -> tuple[str, ...]:
        """The delegated scopes (`scp`); empty for an app-only token."""
        scp = self.claims.get("scp")
        return tuple(scp.split()) if isinstance(scp, str) else ()

    @property
    def is_user_token(self) -> bool:
        """Delegated tokens carry `scp`; app-only ones (`idtyp` app) never do."""
        return isinstance(self.claims.get("scp"), str) and self.claims.get("idtyp") != "app"

    @property
    def audiences(self) -> tuple[str, ...]:
        """`aud` as a tuple (RFC 7519 §4.1.3 allows a string or an array)."""
        aud = self.claims.get("aud")
        values = aud if isinstance(aud, list) else [aud]
        return tuple(v for v in values if isinstance(v, str))

    @property
    def issued_at(self) -> datetime:
        """When the token was minted (`iat` is back-dated by five minutes)."""
        return datetime.fromtimestamp(int(self.claims.get("iat", 0)) + BACKDATE_SECONDS, UTC)

    @property
    def session_id(self) -> str | None:
        """`sid`, when the token came from a browser session."""
        sid = self.claims.get("sid")
        return sid if isinstance(sid, str) else None


def _invalid(reason: str) -> AadstsError:
    return AadstsError.of(Aadsts.InvalidAssertion, reason=reason)


def _parse(token: str) -> CompactJws:
    try:
        return parse_compact_jws(token)
    except JwsFormatError as exc:
        raise _invalid("The token is not a well-formed JWT.") from exc


def _check_signature(jws: CompactJws, keys: Iterable[ActiveKey]) -> None:
    if jws.header.get("alg") != "RS256":
        raise _invalid("The token must be signed with RS256.")
    key = next((k for k in keys if k.kid == jws.header.get("kid")), None)
    if key is None:
        raise _invalid("The token was not signed by a key this server publishes.")
    if not rsa_signature_verifies(jws, key.public_key, "RS256"):
        raise _invalid("The token's signature does not verify.")


def _check_issuer(claims: Mapping[str, Any], base_url: str) -> None:
    tid = claims.get("tid")
    if not isinstance(tid, str) or claims.get("iss") not in {
        issuer_for(base_url, tid, 1),
        issuer_for(base_url, tid, 2),
    }:
        raise _invalid("The token was not issued by this authority.")


def _check_expiry(claims: Mapping[str, Any], now: datetime, skew: timedelta) -> None:
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise _invalid("The token has no 'exp' claim.")
    if now.timestamp() > exp + skew.total_seconds():
        when = datetime.fromtimestamp(exp, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        raise AadstsError.of(Aadsts.AssertionOutsideValidTimeRange, reason=f"The token expired at {when}.")


def verify_access_token(
    token: str, keys: Iterable[ActiveKey], base_url: str, now: datetime, skew: timedelta
) -> VerifiedAccessToken:
    """The verified token, or AADSTS50013 (malformed, foreign, forged) / AADSTS500133 (expired)."""
    jws = _parse(token.strip())
    _check_signature(jws, keys)
    _check_issuer(jws.claims, base_url)
    _check_expiry(jws.claims, now, skew)
    return VerifiedAccessToken(jws.claims)
