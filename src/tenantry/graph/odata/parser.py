"""The `$filter` parser: recursive descent over the tokens into the immutable AST of `model.py`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import cast

from tenantry.common.ids import is_guid
from tenantry.graph.odata.lexer import UNSUPPORTED_OPS, Token, filter_error, tokenize
from tenantry.graph.odata.model import (
    MAX_FILTER_DEPTH,
    MAX_OPTION_LENGTH,
    RANGE_KINDS,
    RANGE_OPS,
    And,
    Compare,
    CompareOp,
    FieldSpec,
    FieldType,
    In,
    Node,
    Not,
    ODataError,
    Or,
    StartsWith,
    Value,
)

MAX_PATH_SEGMENTS = 3  # `initiatedBy/user/id`, Graph's deepest commonly filtered path


class FieldTable:
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

    def __init__(self, tokens: Iterator[Token], fields: FieldTable) -> None:
        self._tokens = tokens
        self._current = next(tokens)
        self._depth = 0
        self._fields = fields

    def parse(self) -> Node:
        node = self._or()
        token = self._peek()
        if token.kind != "end":
            raise filter_error(f"unexpected {token.text!r}", token.pos)
        return node

    def _peek(self) -> Token:
        return self._current

    def _next(self) -> Token:
        token = self._current
        if token.kind != "end":
            self._current = next(self._tokens)
        return token

    def _expect(self, kind: str, what: str) -> Token:
        token = self._next()
        if token.kind != kind:
            found = "end of expression" if token.kind == "end" else repr(token.text)
            raise filter_error(f"expected {what} but found {found}", token.pos)
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
                raise filter_error(f"nested more than {MAX_FILTER_DEPTH} levels deep", self._peek().pos)
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

    def _function(self, name: Token) -> Node:
        lowered = name.text.lower()
        if lowered in {"any", "all"}:
            raise filter_error(f"lambda operator '{lowered}' is not supported", name.pos)
        if lowered != "startswith":
            raise filter_error(f"function '{name.text}' is not supported (only startswith)", name.pos)
        self._next()
        path, spec = self._path(self._expect("word", "a property name"))
        self._expect("comma", "','")
        literal = self._expect("literal", "a string literal")
        if not isinstance(literal.value, str) or spec.kind not in {FieldType.STRING, FieldType.STRING_COLLECTION}:
            raise filter_error(f"startswith needs a string property and a string, not {literal.text!r}", literal.pos)
        self._expect("rparen", "')'")
        return StartsWith(path, literal.value)

    def _path(self, first: Token) -> tuple[str, FieldSpec]:
        """`name`, `parent/child` or `a/b/c`; `x/any(…)` is named as an unsupported lambda, not a syntax error."""
        segments = [first.text]
        while self._peek().kind == "slash":
            self._next()
            segment = self._expect("word", "a property name after '/'")
            if segment.text.lower() in {"any", "all"} and self._peek().kind == "lparen":
                raise filter_error(f"lambda operator '{segment.text.lower()}' is not supported", segment.pos)
            segments.append(segment.text)
        if len(segments) > MAX_PATH_SEGMENTS:
            raise filter_error("property paths may have at most two '/'", first.pos)
        path = "/".join(segments)
        resolved = self._fields.resolve(path)
        if resolved is None:
            raise filter_error(f"unknown property '{path}'", first.pos)
        if not resolved[1].filterable:
            raise filter_error(f"property '{resolved[0]}' does not support filtering", first.pos)
        return resolved

    def _comparison(self, path: str, spec: FieldSpec) -> Node:
        op = self._expect("word", f"an operator after '{path}'")
        lowered = op.text.lower()
        if lowered in {"eq", "ne"}:
            value = self._literal(path, spec)
            return Compare(path, "eq" if lowered == "eq" else "ne", value)
        if lowered == "in":
            return In(path, self._literal_list(path, spec))
        if lowered in RANGE_OPS and spec.kind in RANGE_KINDS:
            value = self._literal(path, spec)
            if value is None:
                raise filter_error(f"operator '{lowered}' cannot compare with null", op.pos)
            return Compare(path, cast(CompareOp, lowered), value)
        if lowered in UNSUPPORTED_OPS:
            raise filter_error(f"operator '{lowered}' is not supported (use eq, ne, in or startswith)", op.pos)
        raise filter_error(f"expected an operator after '{path}' but found {op.text!r}", op.pos)

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
            raise filter_error(
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
    return _Parser(tokenize(text), FieldTable(allowed_fields)).parse()
