"""Evaluating a parsed query on records of Graph property values: filter, order, select."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tenantry.graph.odata.model import RANGE_OPS, And, FieldType, In, Node, Not, ODataQuery, Or, R, StartsWith, Value


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
    actual = lookup(record, node.field)
    if isinstance(node, StartsWith):
        prefix = node.prefix.casefold()
        return any(isinstance(item, str) and item.casefold().startswith(prefix) for item in _members(actual))
    if isinstance(node, In):
        return any(_equals(actual, value) for value in node.values)
    if node.op in RANGE_OPS:
        return _in_range(actual, node.op, node.value)
    return _equals(actual, node.value) == (node.op == "eq")


def _in_range(actual: Any, op: str, literal: Value) -> bool:
    """`ge`/`gt`/`le`/`lt` on an instant or an integer; a missing or mistyped value never matches."""
    left: Any = _as_datetime(actual) if isinstance(literal, datetime) else actual
    right: Any = as_utc(literal) if isinstance(literal, datetime) else literal
    if left is None or isinstance(left, bool) or not isinstance(left, type(right)):
        return False
    outcome: bool = {"ge": left >= right, "gt": left > right, "le": left <= right, "lt": left < right}[op]
    return outcome


def lookup(record: Mapping[str, Any], path: str) -> Any:
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
        return _as_datetime(actual) == as_utc(literal)
    return isinstance(actual, str) and isinstance(literal, str) and actual.casefold() == literal.casefold()


def as_utc(value: datetime) -> datetime:
    """Graph's date/times are UTC; a naive value is read as UTC rather than as server-local time."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, str):
        try:
            return as_utc(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def apply_query(records: Iterable[R], query: ODataQuery) -> list[R]:
    """Filter, then sort by `$orderby`; the sort is stable, so ties keep the store's (deterministic) order."""
    selected = [record for record in records if query.filter is None or matches(query.filter, record)]
    order = query.orderby
    if order is not None:
        selected.sort(key=lambda record: _sort_key(lookup(record, order.field), order.kind), reverse=order.descending)
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
