"""Compact UTF-8 JSON, the one encoding of every JSON document we send or sign.

`orjson` rather than the standard library: a token response is mostly one long string (the access
token), and the standard encoder spends more on escaping it than the rest of the request costs in
Python; `orjson` encodes in one C call and returns bytes. The output is the same RFC 8259 JSON:
compact separators, non-ASCII kept as UTF-8 (as Microsoft's services send it).
"""

from __future__ import annotations

from typing import Any

import orjson


def compact_json(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON; raises `TypeError` for what JSON cannot express."""
    return orjson.dumps(value)
