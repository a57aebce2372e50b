"""Graph `emailAuthenticationMethod` (v1.0): the address SSPR mails its one-time code to."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from tenantry.graph.schemas.common import GraphInput, GraphModel
from tenantry.sessions.mfa import AuthMethod


class EmailMethodResource(GraphModel):
    """Graph `emailAuthenticationMethod`."""

    odata_type: Literal["#microsoft.graph.emailAuthenticationMethod"] = Field(
        "#microsoft.graph.emailAuthenticationMethod", alias="@odata.type"
    )
    id: str
    email_address: str


class EmailMethodInput(GraphInput):
    """The body of `POST` and `PATCH …/emailMethods`."""

    email_address: str


def email_view(method: AuthMethod) -> dict[str, Any]:
    """An e-mail method on the wire."""
    return EmailMethodResource(id=method.id, email_address=method.email_address or "").wire()
