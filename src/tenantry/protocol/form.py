"""Strict parsing of `application/x-www-form-urlencoded` request bodies.

RFC 6749 §3.1/§3.2: parameters sent without a value are treated as omitted, and a parameter must not
appear more than once. Anything malformed becomes AADSTS90100 naming the culprit, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import unquote

from tenantry.errors import Aadsts, AadstsError

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_PARAMETER_LENGTH = 65_536
MAX_PARAMETERS = 64


def check_content_type(content_type: str | None) -> None:
    """The token endpoint takes form posts only (RFC 6749 §3.2)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != FORM_CONTENT_TYPE:
        raise AadstsError.of(
            Aadsts.InvalidRequestParameter,
            parameter="Content-Type",
            hint=f"The body must be sent as {FORM_CONTENT_TYPE}.",
        )


def _unescape(part: str) -> str:
    """`+` and percent-escapes decoded as `parse_qsl` does; most parts hold neither and stay as they are."""
    if "%" in part or "+" in part:
        return unquote(part.replace("+", " "), errors="strict")
    return part


def form_pairs(text: str) -> list[tuple[str, str]]:
    """`parse_qsl(text)` (separator `&`, blank values dropped), without its per-field overhead."""
    pairs = []
    for field in text.split("&"):
        name, separator, value = field.partition("=")
        if separator and value:
            pairs.append((_unescape(name), _unescape(value)))
    return pairs


def parse_form(body: bytes) -> Mapping[str, str]:
    """Decode a form body into a read-only mapping, rejecting bad UTF-8, duplicates and oversized values."""
    try:
        pairs = form_pairs(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise AadstsError.of(
            Aadsts.InvalidRequestParameter, parameter="body", hint="The body is not valid UTF-8."
        ) from exc
    return build_parameters(pairs)


def build_parameters(pairs: list[tuple[str, str]]) -> Mapping[str, str]:
    """Check count, size and uniqueness of decoded parameters."""
    if len(pairs) > MAX_PARAMETERS:
        raise AadstsError.of(Aadsts.InvalidRequestParameter, parameter="body", hint="Too many parameters.")
    params: dict[str, str] = {}
    for name, value in pairs:
        if len(name) > 256 or len(value) > MAX_PARAMETER_LENGTH:
            raise AadstsError.of(Aadsts.InvalidRequestParameter, parameter=name[:64], hint="The parameter is too long.")
        if "\x00" in name or "\x00" in value:
            # Never legitimate, and PostgreSQL text cannot hold it: refuse before it reaches a query.
            raise AadstsError.of(
                Aadsts.InvalidRequestParameter,
                parameter=name.replace("\x00", "")[:64],
                hint="It contains a NUL character.",
            )
        if name in params:
            raise AadstsError.of(
                Aadsts.InvalidRequestParameter, parameter=name, hint="The parameter was sent more than once."
            )
        params[name] = value
    return MappingProxyType(params)


def require(params: Mapping[str, str], name: str) -> str:
    """A required parameter, or AADSTS900144 naming it."""
    value = params.get(name)
    if value is None or not value.strip():
        raise AadstsError.of(Aadsts.MissingRequestParameter, parameter=name)
    return value
