"""Paging: opaque, query-bound `$skiptoken`s and Graph's `@odata.nextLink`."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator, Sequence
from urllib.parse import quote

from tenantry.graph.odata.model import ODataError, ODataQuery, Page, T
from tenantry.graph.odata.render import render, render_orderby

_TOKEN_VERSION = 1
_TOKEN_BYTES = 12  # version (1) + offset (4) + tag (7): exactly 16 base64url characters, no padding bits
_TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_TAG_KEY = b"tenantry.graph.odata.skiptoken.v1"
_REFUSED_SKIP_MESSAGE = (
    "Invalid $skiptoken: it is malformed, was altered, or belongs to a different $filter or $orderby."
)


def _tag(body: bytes, query: ODataQuery) -> bytes:
    """Bind the offset to the filter and order that give it meaning.

    The key is public, so this detects corruption and reuse with another query, not forgery; forging an offset
    would only reach records the caller could page to anyway.
    """
    order = "" if query.orderby is None else render_orderby(query.orderby)
    filter_text = "" if query.filter is None else render(query.filter)
    material = body + f"{filter_text}\n{order}".encode()
    return hashlib.blake2b(material, digest_size=_TOKEN_BYTES - 5, key=_TAG_KEY).digest()


def encode_skiptoken(offset: int, query: ODataQuery) -> str:
    """The opaque `$skiptoken` for the page starting at `offset` of this query's result."""
    body = bytes([_TOKEN_VERSION]) + offset.to_bytes(4, "big")
    return base64.urlsafe_b64encode(body + _tag(body, query)).decode("ascii")


def skip_offset(query: ODataQuery) -> int:
    """Where `query.skiptoken` says the page starts (0 without one); anything we did not issue is refused."""
    token = query.skiptoken
    if token is None:
        return 0
    if len(token) != 16 or not _TOKEN_ALPHABET.issuperset(token):
        raise ODataError(_REFUSED_SKIP_MESSAGE)
    raw = base64.urlsafe_b64decode(token)  # 16 alphabet characters always decode, to exactly 12 bytes
    body, tag = raw[:5], raw[5:]
    if body[0] != _TOKEN_VERSION or not hmac.compare_digest(tag, _tag(body, query)):
        raise ODataError(_REFUSED_SKIP_MESSAGE)
    return int.from_bytes(body[1:], "big")


def paginate(items: Sequence[T], query: ODataQuery, *, base_url: str) -> Page[T]:
    """Cut the page `query` asks for out of the full, filtered and ordered result.

    Offsets are only sound if `items` comes back in the same order on every request, which `apply_query`
    guarantees for a stable store order. `base_url` is the collection URL without `$` options.
    """
    offset = skip_offset(query)
    end = min(offset + query.top, len(items))
    next_link = _next_link(query, end, base_url) if end < len(items) else None
    return Page(tuple(items[offset:end]), next_link, len(items) if query.count else None)


def _next_link(query: ODataQuery, offset: int, base_url: str) -> str:
    """Graph's nextLink repeats the request's options, so the next page is filtered and shaped the same way."""
    options = [*_options_of(query), ("$skiptoken", encode_skiptoken(offset, query))]
    separator = "&" if "?" in base_url else "?"
    return base_url + separator + "&".join(f"{name}={quote(value, safe=_LINK_SAFE)}" for name, value in options)


_LINK_SAFE = "',()/:"


def _options_of(query: ODataQuery) -> Iterator[tuple[str, str]]:
    if query.select is not None:
        yield "$select", ",".join(query.select)
    if query.filter is not None:
        yield "$filter", render(query.filter)
    if query.orderby is not None:
        yield "$orderby", render_orderby(query.orderby)
    if query.count:
        yield "$count", "true"
    yield "$top", str(query.top)
