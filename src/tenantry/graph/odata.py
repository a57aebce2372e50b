"""The OData query options Microsoft Graph accepts on directory collections, as pure functions.

Graph lists (`/v1.0/applications`, `/v1.0/servicePrincipals`, …) take `$select`, `$filter`, `$top`, `$count`,
`$orderby` and `$skiptoken` (Graph docs "Use query parameters"; entra-reference §4). A route runs:

    query = parse_query(request.query_params, allowed_fields=APPLICATION_FIELDS)   # raises ODataError
    page = paginate(apply_query(records, query), query, base_url=url_without_query)
    body = {"value": [apply_select(r, query.select) for r in page.items], "@odata.nextLink": page.next_link, …}

Every rejection is an `ODataError`, which the HTTP layer renders as Graph's 400 `Request_BadRequest`. `$filter`
is tokenised and parsed by recursive descent into a small immutable AST; nothing is ever evaluated as code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, Literal, TypeAlias, TypeVar
from urllib.parse import quote

from tenantry.common.ids import is_guid

__all__ = [
    "MAX_FILTER_DEPTH",
    "MAX_OPTION_LENGTH",
    "And",
    "Compare",
    "FieldSpec",
    "FieldType",
    "In",
    "Node",
    "Not",
    "ODataError",
    "ODataQuery",
    "Or",
    "OrderBy",
    "Page",
    "StartsWith",
    "Value",
    "apply_query",
    "apply_select",
    "encode_skiptoken",
    "matches",
    "paginate",
    "parse_filter",
    "parse_query",
    "render",
    "render_orderby",
    "render_value",
    "skip_offset",
]

MAX_FILTER_DEPTH = 32
MAX_OPTION_LENGTH = 2048
_MAX_INT = 2**63 - 1


class ODataError(ValueError):
    """A query option Graph would refuse; `message` names the option and, for `$filter`, the position."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FieldType(StrEnum):
    """How a property is stored in a record, which decides the literals it may be compared with."""

    STRING = "string"
    BOOL = "bool"
    INT = "int"
    GUID = "guid"  # a GUID kept as a string; literals must be quoted GUIDs
    DATETIME = "datetime"  # an ISO 8601 string; literals are unquoted DateTimeOffset values
    STRING_COLLECTION = "string_collection"


@dataclass(frozen=True)
class FieldSpec:
    """One property a collection exposes; keys of `allowed_fields` are `name` or `parent/child` paths."""

    kind: FieldType
    filterable: bool = True
    sortable: bool = False


Value: TypeAlias = str | bool | int | datetime | None
CompareOp: TypeAlias = Literal["eq", "ne"]


@dataclass(frozen=True)
class Compare:
    """`field eq value` / `field ne value`."""

    field: str
    op: CompareOp
    value: Value


@dataclass(frozen=True)
class StartsWith:
    """`startswith(field, 'prefix')`, case-insensitive as on Graph's directory strings."""

    field: str
    prefix: str


@dataclass(frozen=True)
class In:
    """`field in ('a', 'b')`: equal to any of the values."""

    field: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


Node: TypeAlias = Compare | StartsWith | In | Not | And | Or


@dataclass(frozen=True)
class OrderBy:
    field: str
    descending: bool
    kind: FieldType  # kept so sorting compares datetimes as instants, not as strings


@dataclass(frozen=True)
class ODataQuery:
    """A validated request: `select` None means every property; `top` is already bounded."""

    select: tuple[str, ...] | None = None
    filter: Node | None = None
    top: int = 100
    count: bool = False
    skiptoken: str | None = None
    orderby: OrderBy | None = None


T = TypeVar("T")
R = TypeVar("R", bound=Mapping[str, Any])


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: `next_link` is Graph's `@odata.nextLink`, `count` its `@odata.count` (only with `$count=true`)."""

    items: tuple[T, ...]
    next_link: str | None
    count: int | None


# --- tokenizer -------------------------------------------------------------------------------------------------

_PUNCTUATION = {"(": "lparen", ")": "rparen", ",": "comma", "/": "slash"}
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:+")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT = re.compile(r"-?[0-9]+")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_KEYWORD_LITERALS: dict[str, Value] = {"true": True, "false": False, "null": None}
_UNSUPPORTED_OPS = frozenset({"gt", "ge", "lt", "le", "has", "add", "sub", "mul", "div", "mod"})


@dataclass(frozen=True)
class _Token:
    kind: str  # lparen rparen comma slash word literal end
    text: str
    pos: int
    value: Value = None


def _filter_error(message: str, pos: int) -> ODataError:
    return ODataError(f"Invalid filter clause: {message} at position {pos}.")


def _tokenize(text: str) -> Iterator[_Token]:
    """Yield `$filter` tokens lazily, so the parser reports the first problem (say `any(`) rather than a later one.

    Positions are 0-based character offsets, as in ODataLib's messages.
    """
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char in _PUNCTUATION:
            yield _Token(_PUNCTUATION[char], char, pos)
            pos += 1
        elif char == "'":
            token, pos = _read_string(text, pos)
            yield token
        elif char in _WORD_CHARS:
            end = pos
            while end < len(text) and text[end] in _WORD_CHARS:
                end += 1
            yield _classify_word(text[pos:end], pos)
            pos = end
        else:
            raise _filter_error(f"unexpected character {char!r}", pos)
    yield _Token("end", "", len(text))


def _read_string(text: str, start: int) -> tuple[_Token, int]:
    """A single-quoted OData string, where `''` stands for one quote (OData ABNF `SQUOTE-in-string`)."""
    parts: list[str] = []
    pos = start + 1
    while pos < len(text):
        end = text.find("'", pos)
        if end < 0:
            break
        parts.append(text[pos:end])
        if text.startswith("''", end):
            parts.append("'")
            pos = end + 2
            continue
        value = "".join(parts)
        return _Token("literal", text[start : end + 1], start, value), end + 1
    raise _filter_error("unterminated string literal", start)


def _classify_word(word: str, pos: int) -> _Token:
    """Name, integer or DateTimeOffset; Graph quotes GUIDs, so a bare GUID is refused rather than misread."""
    if _INT.fullmatch(word):
        number = int(word)
        if abs(number) > _MAX_INT:
            raise _filter_error(f"integer {word} out of range", pos)
        return _Token("literal", word, pos, number)
    if _DATETIME.fullmatch(word):
        try:
            return _Token("literal", word, pos, datetime.fromisoformat(word))
        except ValueError:
            raise _filter_error(f"invalid date/time {word!r}", pos) from None
    if _GUID.fullmatch(word):
        raise _filter_error(f"GUID {word} must be quoted as '{word}'", pos)
    if _IDENT.fullmatch(word):
        lowered = word.lower()
        if lowered in _KEYWORD_LITERALS:
            return _Token("literal", word, pos, _KEYWORD_LITERALS[lowered])
        return _Token("word", word, pos)
    raise _filter_error(f"unexpected {word!r}", pos)


# --- parser ----------------------------------------------------------------------------------------------------


class _FieldTable:
    """`allowed_fields` with case-insensitive lookup, since Graph matches directory property names that way."""

    def __init__(self, fields: Mapping[str, FieldSpec]) -> None:
        self.fields = fields
        self._by_lower = {name.lower(): name for name in fields}
        self._top_level = {name.split("/")[0].lower(): name.split("/")[0] for name in fields}
        self._top_level.setdefault("id", "id")

    def resolve(self, path: str) -> tuple[str, FieldSpec] | None:
        name = self._by_lower.get(path.lower())
        return None if name is None else (name, self.fields[name])

    def top_level(self, name: str) -> str | None:
        return self._top_level.get(name.lower())


class _Parser:
    """Recursive descent over `or` < `and` < `not` < primary; `_depth` caps nesting so hostile input stays cheap."""

    def __init__(self, tokens: Iterator[_Token], fields: _FieldTable) -> None:
        self._tokens = tokens
        self._current = next(tokens)
        self._depth = 0
        self._fields = fields

    def parse(self) -> Node:
        node = self._or()
        token = self._peek()
        if token.kind != "end":
            raise _filter_error(f"unexpected {token.text!r}", token.pos)
        return node

    def _peek(self) -> _Token:
        return self._current

    def _next(self) -> _Token:
        token = self._current
        if token.kind != "end":
            self._current = next(self._tokens)
        return token

    def _expect(self, kind: str, what: str) -> _Token:
        token = self._next()
        if token.kind != kind:
            found = "end of expression" if token.kind == "end" else repr(token.text)
            raise _filter_error(f"expected {what} but found {found}", token.pos)
        return token

    def _at_keyword(self, keyword: str) -> bool:
        token = self._peek()
        return token.kind == "word" and token.text.lower() == keyword

    def _or(self) -> Node:
        node = self._and()
        while self._at_keyword("or"):
            self._next()
            node = Or(node, self._and())
        return node

    def _and(self) -> Node:
        node = self._unary()
        while self._at_keyword("and"):
            self._next()
            node = And(node, self._unary())
        return node

    def _unary(self) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_FILTER_DEPTH:
                raise _filter_error(f"nested more than {MAX_FILTER_DEPTH} levels deep", self._peek().pos)
            if self._at_keyword("not"):
                self._next()
                return Not(self._unary())
            return self._primary()
        finally:
            self._depth -= 1

    def _primary(self) -> Node:
        if self._peek().kind == "lparen":
            self._next()
            node = self._or()
            self._expect("rparen", "')'")
            return node
        start = self._expect("word", "a property name or 'startswith('")
        if self._peek().kind == "lparen":
            return self._function(start)
        path, spec = self._path(start)
        return self._comparison(path, spec)

    def _function(self, name: _Token) -> Node:
        lowered = name.text.lower()
        if lowered in {"any", "all"}:
            raise _filter_error(f"lambda operator '{lowered}' is not supported", name.pos)
        if lowered != "startswith":
            raise _filter_error(f"function '{name.text}' is not supported (only startswith)", name.pos)
        self._next()
        path, spec = self._path(self._expect("word", "a property name"))
        self._expect("comma", "','")
        literal = self._expect("literal", "a string literal")
        if not isinstance(literal.value, str) or spec.kind not in {FieldType.STRING, FieldType.STRING_COLLECTION}:
            raise _filter_error(f"startswith needs a string property and a string, not {literal.text!r}", literal.pos)
        self._expect("rparen", "')'")
        return StartsWith(path, literal.value)

    def _path(self, first: _Token) -> tuple[str, FieldSpec]:
        """`name` or `parent/child`; `x/any(…)` is named as an unsupported lambda rather than a syntax error."""
        segments = [first.text]
        while self._peek().kind == "slash":
            self._next()
            segment = self._expect("word", "a property name after '/'")
            if segment.text.lower() in {"any", "all"} and self._peek().kind == "lparen":
                raise _filter_error(f"lambda operator '{segment.text.lower()}' is not supported", segment.pos)
            segments.append(segment.text)
        if len(segments) > 2:
            raise _filter_error("property paths may have at most one '/'", first.pos)
        path = "/".join(segments)
        resolved = self._fields.resolve(path)
        if resolved is None:
            raise _filter_error(f"unknown property '{path}'", first.pos)
        if not resolved[1].filterable:
            raise _filter_error(f"property '{resolved[0]}' does not support filtering", first.pos)
        return resolved

    def _comparison(self, path: str, spec: FieldSpec) -> Node:
        op = self._expect("word", f"an operator after '{path}'")
        lowered = op.text.lower()
        if lowered in {"eq", "ne"}:
            value = self._literal(path, spec)
            return Compare(path, "eq" if lowered == "eq" else "ne", value)
        if lowered == "in":
            return In(path, self._literal_list(path, spec))
        if lowered in _UNSUPPORTED_OPS:
            raise _filter_error(f"operator '{lowered}' is not supported (use eq, ne, in or startswith)", op.pos)
        raise _filter_error(f"expected an operator after '{path}' but found {op.text!r}", op.pos)

    def _literal_list(self, path: str, spec: FieldSpec) -> tuple[Value, ...]:
        self._expect("lparen", "'(' after 'in'")
        values = [self._literal(path, spec)]
        while self._peek().kind == "comma":
            self._next()
            values.append(self._literal(path, spec))
        self._expect("rparen", "')'")
        return tuple(values)

    def _literal(self, path: str, spec: FieldSpec) -> Value:
        token = self._expect("literal", "a literal value")
        if not _literal_fits(spec.kind, token.value):
            raise _filter_error(
                f"property '{path}' is {spec.kind.value} and cannot be compared with {token.text}", token.pos
            )
        return token.value


def _literal_fits(kind: FieldType, value: Value) -> bool:
    """Graph rejects operands of incompatible EDM types; `null` fits every property."""
    if value is None:
        return True
    if kind in {FieldType.STRING, FieldType.STRING_COLLECTION}:
        return isinstance(value, str)
    if kind is FieldType.GUID:
        return isinstance(value, str) and is_guid(value)
    if kind is FieldType.BOOL:
        return isinstance(value, bool)
    if kind is FieldType.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, datetime)


def parse_filter(text: str, allowed_fields: Mapping[str, FieldSpec]) -> Node:
    """Parse a `$filter` expression against the collection's fields; the AST keeps canonical property names."""
    if len(text) > MAX_OPTION_LENGTH:
        raise ODataError(f"Invalid filter clause: longer than {MAX_OPTION_LENGTH} characters.")
    if not text.strip():
        raise ODataError("Invalid filter clause: the expression is empty.")
    return _Parser(_tokenize(text), _FieldTable(allowed_fields)).parse()


# --- evaluation ------------------------------------------------------------------------------------------------


def matches(node: Node, record: Mapping[str, Any]) -> bool:
    """Evaluate a filter on a record of Graph property values (nested dicts for `parent/child`).

    Strings compare case-insensitively, as Graph's `eq` and `startswith` do on directory strings. Leniency:
    on a collection property `eq`/`in`/`startswith` mean "some element matches" and `ne` "no element
    equals", where Graph would insist on `any(…)`. A missing property is `null`.
    """
    if isinstance(node, And):
        return matches(node.left, record) and matches(node.right, record)
    if isinstance(node, Or):
        return matches(node.left, record) or matches(node.right, record)
    if isinstance(node, Not):
        return not matches(node.operand, record)
    actual = _lookup(record, node.field)
    if isinstance(node, StartsWith):
        prefix = node.prefix.casefold()
        return any(isinstance(item, str) and item.casefold().startswith(prefix) for item in _members(actual))
    if isinstance(node, In):
        return any(_equals(actual, value) for value in node.values)
    return _equals(actual, node.value) == (node.op == "eq")


def _lookup(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for segment in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        value = value.get(segment)
    return value


def _members(actual: Any) -> Sequence[Any]:
    if actual is None:
        return ()
    return actual if isinstance(actual, list | tuple) else (actual,)


def _equals(actual: Any, literal: Value) -> bool:
    if literal is None:
        return actual is None
    return any(_scalar_equals(item, literal) for item in _members(actual))


def _scalar_equals(actual: Any, literal: Value) -> bool:
    if isinstance(literal, bool):
        return isinstance(actual, bool) and actual == literal
    if isinstance(literal, int):
        return isinstance(actual, int) and not isinstance(actual, bool) and actual == literal
    if isinstance(literal, datetime):
        return _as_datetime(actual) == _as_utc(literal)
    return isinstance(actual, str) and isinstance(literal, str) and actual.casefold() == literal.casefold()


def _as_utc(value: datetime) -> datetime:
    """Graph's date/times are UTC; a naive value is read as UTC rather than as server-local time."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, str):
        try:
            return _as_utc(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def apply_query(records: Iterable[R], query: ODataQuery) -> list[R]:
    """Filter, then sort by `$orderby`; the sort is stable, so ties keep the store's (deterministic) order."""
    selected = [record for record in records if query.filter is None or matches(query.filter, record)]
    order = query.orderby
    if order is not None:
        selected.sort(key=lambda record: _sort_key(_lookup(record, order.field), order.kind), reverse=order.descending)
    return selected


def _sort_key(value: Any, kind: FieldType) -> tuple[int, Any]:
    """Nulls sort first (last with `desc`); strings case-insensitively; date/times as instants."""
    if kind is FieldType.DATETIME:
        value = _as_datetime(value)
    elif isinstance(value, str):
        value = value.casefold()
    return (0, 0) if value is None else (1, value)


def apply_select(record: Mapping[str, Any], select: Sequence[str] | None) -> dict[str, Any]:
    """Graph always returns `id`, and returns each selected property even when it is null."""
    if select is None:
        return dict(record)
    chosen = {"id": record.get("id")}
    chosen.update((name, record.get(name)) for name in select)
    return chosen


# --- rendering -------------------------------------------------------------------------------------------------


def render(node: Node) -> str:
    """Canonical `$filter` text: `parse_filter(render(ast)) == ast`; used in next links, skiptoken tags and logs."""
    if isinstance(node, Compare):
        return f"{node.field} {node.op} {render_value(node.value)}"
    if isinstance(node, StartsWith):
        return f"startswith({node.field}, {render_value(node.prefix)})"
    if isinstance(node, In):
        return f"{node.field} in ({', '.join(render_value(value) for value in node.values)})"
    if isinstance(node, Not):
        return f"not ({render(node.operand)})"
    if isinstance(node, And):
        return f"{_operand(node.left, (Or,))} and {_operand(node.right, (Or, And))}"
    return f"{render(node.left)} or {_operand(node.right, (Or,))}"


def _operand(node: Node, wrap: tuple[type, ...]) -> str:
    """Parenthesise only where precedence or left-associativity would otherwise change the tree."""
    return f"({render(node)})" if isinstance(node, wrap) else render(node)


def render_orderby(order: OrderBy) -> str:
    """Canonical `$orderby` text, the form `parse_query` reads back."""
    return f"{order.field} {'desc' if order.descending else 'asc'}"


def render_value(value: Value) -> str:
    """An OData literal: quoted strings with `''`, bare keywords and numbers, UTC DateTimeOffset."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return _as_utc(value).astimezone(UTC).isoformat().replace("+00:00", "Z")
    return "'" + value.replace("'", "''") + "'"


# --- query options ---------------------------------------------------------------------------------------------

_SUPPORTED_OPTIONS = frozenset({"$select", "$filter", "$top", "$count", "$skiptoken", "$orderby"})
_REFUSED_OPTIONS = {
    "$search": "Query option '$search' is not supported.",
    "$skip": "Query option '$skip' is not supported; follow @odata.nextLink ($skiptoken) instead.",
    "$expand": "Query option '$expand' is not supported.",
}


def parse_query(
    params: Mapping[str, str],
    *,
    allowed_fields: Mapping[str, FieldSpec],
    max_top: int = 999,
    default_top: int = 100,
) -> ODataQuery:
    """Validate a request's `$` options (names case-insensitive, `$` required as Graph v1.0 documents).

    Parameters without `$` belong to the route and are ignored. A mapping cannot show a repeated name, so the
    HTTP layer must refuse `?$top=1&$top=2` itself; `$top` and `$TOP` together are refused here.
    """
    options = _collect_options(params)
    fields = _FieldTable(allowed_fields)
    filter_text = options.get("$filter")
    query = ODataQuery(
        select=_parse_select(options.get("$select"), fields),
        filter=None if filter_text is None else parse_filter(filter_text, allowed_fields),
        top=_parse_top(options.get("$top"), max_top, default_top),
        count=_parse_count(options.get("$count")),
        skiptoken=options.get("$skiptoken"),
        orderby=_parse_orderby(options.get("$orderby"), fields),
    )
    skip_offset(query)  # refuse a garbage, altered or foreign token before the route does any work
    return query


def _collect_options(params: Mapping[str, str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for name, value in params.items():
        if not name.startswith("$"):
            continue
        key = name.lower()
        if key in options:
            raise ODataError(f"Query option '{key}' was specified more than once.")
        if key in _REFUSED_OPTIONS:
            raise ODataError(_REFUSED_OPTIONS[key])
        if key not in _SUPPORTED_OPTIONS:
            raise ODataError(f"Query option {_excerpt(name)} is not supported.")
        if len(value) > MAX_OPTION_LENGTH:
            raise ODataError(f"Query option '{key}' is longer than {MAX_OPTION_LENGTH} characters.")
        options[key] = value
    return options


def _excerpt(text: str) -> str:
    """Quote client input in a message without echoing kilobytes of it back."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _parse_select(text: str | None, fields: _FieldTable) -> tuple[str, ...] | None:
    if text is None:
        return None
    names: list[str] = []
    for raw in text.split(","):
        name = fields.top_level(raw.strip())
        if name is None:
            problem = "empty property name" if not raw.strip() else f"unknown property {_excerpt(raw.strip())}"
            raise ODataError(f"Invalid $select: {problem}.")
        names.append(name)
    return tuple(dict.fromkeys(names))


def _parse_top(text: str | None, max_top: int, default_top: int) -> int:
    if text is None:
        return default_top
    if not re.fullmatch(r"[0-9]{1,9}", text) or not 1 <= int(text) <= max_top:
        raise ODataError(f"Invalid $top value {_excerpt(text)}: must be an integer from 1 to {max_top}.")
    return int(text)


def _parse_count(text: str | None) -> bool:
    if text is None:
        return False
    if text.lower() not in {"true", "false"}:
        raise ODataError(f"Invalid $count value {_excerpt(text)}: must be true or false.")
    return text.lower() == "true"


def _parse_orderby(text: str | None, fields: _FieldTable) -> OrderBy | None:
    """One property, optionally `asc`/`desc`: directory collections sort on a single key in Graph."""
    if text is None:
        return None
    parts = text.split()
    if "," in text or len(parts) not in {1, 2}:
        raise ODataError(f"Invalid $orderby {_excerpt(text)}: expected one property, optionally 'asc' or 'desc'.")
    if len(parts) == 2 and parts[1].lower() not in {"asc", "desc"}:
        raise ODataError(f"Invalid $orderby direction {_excerpt(parts[1])}: use 'asc' or 'desc'.")
    resolved = fields.resolve(parts[0])
    if resolved is None:
        raise ODataError(f"Invalid $orderby: unknown property {_excerpt(parts[0])}.")
    name, spec = resolved
    if not spec.sortable or spec.kind is FieldType.STRING_COLLECTION:
        raise ODataError(f"Invalid $orderby: property '{name}' does not support sorting.")
    return OrderBy(name, len(parts) == 2 and parts[1].lower() == "desc", spec.kind)


# --- paging ----------------------------------------------------------------------------------------------------

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
