"""The one check of every string a Graph request carries, before any route or service sees it.

`refuse_control_characters` is a dependency of the whole Graph app (`build_graph_app`), so a new route is
covered without doing anything. It applies `tenantry.common.text`'s rule to the URL path, every query
parameter (`$filter` literals included), and every string of a JSON body, recursively, property names
included: a refused character is 400 `Request_BadRequest` naming where it was and which code point (never
echoing the text). It runs before authentication, so such a request is refused even without a token.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from tenantry.common.text import code_point, control_character
from tenantry.graph.errors import GraphError, bad_request


def _refused(where: str, character: str) -> GraphError:
    return bad_request(f"Invalid value for '{where}': it contains the control character {code_point(character)}.")


def _check_document(document: Any) -> None:
    """Every string of a decoded JSON document; iterative, so deep nesting costs no stack."""
    pending: list[tuple[str, Any]] = [("body", document)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, str):
            if character := control_character(item, value=True):
                raise _refused(where, character)
        elif isinstance(item, dict):
            for name, value in item.items():
                if character := control_character(name, value=False):
                    raise bad_request(
                        f"Invalid property name in '{where}': it contains the control character "
                        f"{code_point(character)}."
                    )
                pending.append((name if where == "body" else f"{where}.{name}", value))
        elif isinstance(item, list):
            pending.extend((f"{where}[{index}]", value) for index, value in enumerate(item))


async def refuse_control_characters(request: Request) -> None:
    """Path, query and JSON body of a Graph request; a body that is not JSON is left to the route's parser."""
    if character := control_character(request.scope["path"], value=False):
        raise bad_request(f"Invalid request path: it contains the control character {code_point(character)}.")
    for name, value in request.query_params.multi_items():
        if character := control_character(name, value=False):
            raise bad_request(f"Invalid query option name: it contains the control character {code_point(character)}.")
        if character := control_character(value, value=True):
            raise _refused(name, character)
    if await request.body():
        try:
            document = await request.json()
        except (ValueError, RecursionError):
            return
        _check_document(document)
