"""Base models and types shared by every Graph resource.

Output models give every property a default, so a `$select`ed subset still conforms to the published
schema; input models forbid unknown properties (Graph: "Invalid property"), ignoring OData annotations
such as `@odata.type` that SDKs add.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema, model_validator
from pydantic.alias_generators import to_camel


def graph_datetime(value: datetime) -> str:
    """Graph's DateTimeOffset in UTC: whole seconds as `…:SSZ`, otherwise seven fractional digits."""
    utc = value.astimezone(UTC)
    if not utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}0Z"


GraphDateTime = Annotated[
    datetime,
    PlainSerializer(graph_datetime, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class GraphModel(BaseModel):
    """An output resource: camelCase on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    def wire(self) -> dict[str, Any]:
        """The JSON object Graph would send."""
        return self.model_dump(by_alias=True, mode="json")


class GraphInput(BaseModel):
    """A request body: camelCase, unknown properties refused, `@odata.*` annotations ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=False, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_annotations(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        declared = {field.alias for field in cls.model_fields.values()}
        return {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("@odata.")) or k in declared}


T = TypeVar("T")


class Collection(GraphModel, Generic[T]):
    """A page of a collection: `value`, with `@odata.nextLink` when more follow and `@odata.count` on request."""

    odata_context: str = Field(alias="@odata.context")
    odata_count: int | None = Field(None, alias="@odata.count")
    value: list[T]
    odata_next_link: str | None = Field(None, alias="@odata.nextLink")


class ErrorDetailModel(GraphModel):
    """One entry of `error.details`."""

    code: str
    message: str
    target: str


class InnerError(BaseModel):
    """`error.innerError`: ids of the request and the time it was answered."""

    request_id: str = Field(alias="request-id")
    client_request_id: str = Field(alias="client-request-id")
    date: str


class ErrorBody(GraphModel):
    """`error`: a Graph error code (`Request_BadRequest`, …) and a message."""

    code: str
    message: str
    details: list[ErrorDetailModel] | None = None
    inner_error: InnerError


class ErrorResponse(BaseModel):
    """Graph's error envelope."""

    error: ErrorBody
