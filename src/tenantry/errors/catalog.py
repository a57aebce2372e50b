"""Load `catalog.tsv` once into frozen `ErrorSpec` records.

The catalogue is data, not code (style P1): one row per AADSTS code with its name, OAuth `error`,
HTTP status, our own description (which may hold `{placeholders}` filled per request), remedy, and
whether /authorize may send it back to the client's redirect URI (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

COLUMNS = ("code", "name", "oauth_error", "http_status", "description", "remediation", "redirectable")


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One AADSTS code as the catalogue describes it."""

    code: int
    name: str
    oauth_error: str
    http_status: int
    description: str
    remediation: str
    redirectable: bool


def _parse_row(row: dict[str, str]) -> ErrorSpec:
    return ErrorSpec(
        code=int(row["code"]),
        name=row["name"],
        oauth_error=row["oauth_error"],
        http_status=int(row["http_status"]),
        description=row["description"],
        remediation=row["remediation"],
        redirectable=row["redirectable"] == "true",
    )


@cache
def _catalog() -> dict[int, ErrorSpec]:
    text = resources.files("tenantry.errors").joinpath("catalog.tsv").read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise RuntimeError(f"catalog.tsv header must be {COLUMNS}")
    specs = [_parse_row(row) for row in reader]
    return {spec.code: spec for spec in specs}


def find_spec(code: int) -> ErrorSpec | None:
    """The spec for `code`, or None when the catalogue has no such code."""
    return _catalog().get(code)


def get_spec(code: int) -> ErrorSpec:
    """The spec for `code`; a missing code is a programming error (codes come from the generated enum)."""
    return _catalog()[code]


def all_specs() -> list[ErrorSpec]:
    """Every spec, ordered by code."""
    return sorted(_catalog().values(), key=lambda spec: spec.code)
