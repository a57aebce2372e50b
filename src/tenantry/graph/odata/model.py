"""OData's query model: the validated query, the `$filter` AST, field descriptions and result pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Literal, TypeAlias, TypeVar

MAX_FILTER_DEPTH = 32
MAX_OPTION_LENGTH = 2048


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
CompareOp: TypeAlias = Literal["eq", "ne", "ge", "gt", "le", "lt"]
# Range operators: only on date/time and integer properties (the sign-in log's `createdDateTime` ranges).
RANGE_OPS: frozenset[str] = frozenset({"ge", "gt", "le", "lt"})
RANGE_KINDS = frozenset({FieldType.DATETIME, FieldType.INT})


@dataclass(frozen=True)
class Compare:
    """`field eq value` / `field ne value`; `ge`/`gt`/`le`/`lt` on date/time and integer properties."""

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
