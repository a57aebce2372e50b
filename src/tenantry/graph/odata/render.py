"""Canonical OData text for an AST, an ordering or a literal (next links, skiptoken tags, logs)."""

from __future__ import annotations

from datetime import UTC, datetime

from tenantry.graph.odata.evaluate import as_utc
from tenantry.graph.odata.model import And, Compare, In, Node, Not, Or, OrderBy, StartsWith, Value


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
        return as_utc(value).astimezone(UTC).isoformat().replace("+00:00", "Z")
    return "'" + value.replace("'", "''") + "'"
