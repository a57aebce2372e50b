"""Reading a request's `$` query options into a validated `ODataQuery`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tenantry.graph.odata.model import MAX_OPTION_LENGTH, FieldSpec, FieldType, ODataError, ODataQuery, OrderBy
from tenantry.graph.odata.paging import skip_offset
from tenantry.graph.odata.parser import FieldTable, parse_filter

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
    fields = FieldTable(allowed_fields)
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


def _parse_select(text: str | None, fields: FieldTable) -> tuple[str, ...] | None:
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


def _parse_orderby(text: str | None, fields: FieldTable) -> OrderBy | None:
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
