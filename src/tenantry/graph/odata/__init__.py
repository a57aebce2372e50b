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

from tenantry.graph.odata.evaluate import apply_query, apply_select, matches
from tenantry.graph.odata.model import (
    MAX_FILTER_DEPTH,
    MAX_OPTION_LENGTH,
    And,
    Compare,
    FieldSpec,
    FieldType,
    In,
    Node,
    Not,
    ODataError,
    ODataQuery,
    Or,
    OrderBy,
    Page,
    StartsWith,
    Value,
)
from tenantry.graph.odata.options import parse_query
from tenantry.graph.odata.paging import encode_skiptoken, paginate, skip_offset
from tenantry.graph.odata.parser import parse_filter
from tenantry.graph.odata.render import render, render_orderby, render_value

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
