"""Collections and entities as Graph answers them: OData options applied to wire records, `@odata.context`,
`@odata.count` and `@odata.nextLink` (Graph docs "Use query parameters", "Paging")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request

from tenantry.graph.errors import bad_request
from tenantry.graph.odata import (
    FieldSpec,
    ODataError,
    ODataQuery,
    apply_query,
    apply_select,
    paginate,
    parse_query,
)

API_PREFIX = "/v1.0"


def odata_query(request: Request, fields: Mapping[str, FieldSpec]) -> ODataQuery:
    """The request's `$` options, validated; a repeated option or a bad one is a 400 `Request_BadRequest`."""
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        key = name.lower()
        if key.startswith("$") and key in seen:
            raise bad_request(f"Query option '{key}' was specified more than once.")
        seen.add(key)
    try:
        return parse_query(dict(request.query_params), allowed_fields=fields)
    except ODataError as exc:
        raise bad_request(exc.message) from exc


def context_url(base_url: str, fragment: str, select: Sequence[str] | None = None) -> str:
    """`{base}/v1.0/$metadata#applications(id,displayName)`: what the answer's shape is."""
    shape = f"({','.join(select)})" if select else ""
    if fragment.endswith("/$entity") and shape:
        fragment = fragment.removesuffix("/$entity") + shape + "/$entity"
        shape = ""
    return f"{base_url}{API_PREFIX}/$metadata#{fragment}{shape}"


def collection(
    request: Request,
    records: Sequence[Mapping[str, Any]],
    fields: Mapping[str, FieldSpec],
    *,
    base_url: str,
    path: str,
    fragment: str | None = None,
) -> dict[str, Any]:
    """Filter, order, page and shape `records` (wire dicts) as the request asks.

    `path` is the collection's path under `/v1.0` (the next link repeats it); `fragment` the context's
    `#…` part (default: `path`).
    """
    query = odata_query(request, fields)
    page = paginate(apply_query(records, query), query, base_url=f"{base_url}{API_PREFIX}/{path}")
    body: dict[str, Any] = {"@odata.context": context_url(base_url, fragment or path, query.select)}
    if page.count is not None:
        body["@odata.count"] = page.count
    body["value"] = [apply_select(r, query.select) for r in page.items]
    if page.next_link is not None:
        body["@odata.nextLink"] = page.next_link
    return body


def entity(
    request: Request,
    record: Mapping[str, Any],
    fields: Mapping[str, FieldSpec],
    *,
    base_url: str,
    fragment: str,
) -> dict[str, Any]:
    """One resource, with `$select` honoured and its `@odata.context` first."""
    query = odata_query(request, fields)
    shaped = apply_select(record, query.select)
    return {"@odata.context": context_url(base_url, f"{fragment}/$entity", query.select), **shaped}


def selected(request: Request, fields: Mapping[str, FieldSpec]) -> tuple[str, ...] | None:
    """The `$select` of a request (None: every property)."""
    return odata_query(request, fields).select
