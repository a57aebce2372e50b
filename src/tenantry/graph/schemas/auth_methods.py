"""Graph `softwareOathAuthenticationMethod` and `temporaryAccessPassAuthenticationMethod` (v1.0 names), and
the body that issues a Temporary Access Pass. Secrets are never returned; the pass only when created.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from tenantry.graph.schemas.common import GraphDateTime, GraphInput, GraphModel
from tenantry.graph.schemas.email_methods import email_view
from tenantry.sessions.mfa import AuthMethod, MethodType


class SoftwareOathMethodResource(GraphModel):
    """Graph `softwareOathAuthenticationMethod` (the secret is never returned)."""

    odata_type: Literal["#microsoft.graph.softwareOathAuthenticationMethod"] = Field(
        "#microsoft.graph.softwareOathAuthenticationMethod", alias="@odata.type"
    )
    id: str
    secret_key: str | None = None
    created_date_time: GraphDateTime | None = None


class TemporaryAccessPassResource(GraphModel):
    """Graph `temporaryAccessPassAuthenticationMethod`: `temporaryAccessPass` only in the creation answer."""

    odata_type: Literal["#microsoft.graph.temporaryAccessPassAuthenticationMethod"] = Field(
        "#microsoft.graph.temporaryAccessPassAuthenticationMethod", alias="@odata.type"
    )
    id: str
    temporary_access_pass: str | None = None
    created_date_time: GraphDateTime | None = None
    start_date_time: GraphDateTime | None = None
    lifetime_in_minutes: int | None = None
    is_usable_once: bool | None = None
    is_usable: bool | None = None
    method_usability_reason: str | None = None


class TemporaryAccessPassInput(GraphInput):
    """The body of `POST …/temporaryAccessPassMethods` (all optional)."""

    start_date_time: datetime | None = None
    lifetime_in_minutes: int | None = None
    is_usable_once: bool | None = None


def method_view(method: AuthMethod, now: datetime, value: str | None = None) -> dict[str, Any]:
    """A stored method on the wire (`@odata.type` says which)."""
    if method.type is MethodType.EMAIL:
        return email_view(method)
    if method.type is MethodType.SOFTWARE_OATH:
        return SoftwareOathMethodResource(id=method.id, created_date_time=method.created_at).wire()
    reason = method.tap_state(now)
    return TemporaryAccessPassResource(
        id=method.id,
        temporary_access_pass=value,
        created_date_time=method.created_at,
        start_date_time=method.start,
        lifetime_in_minutes=method.lifetime_minutes,
        is_usable_once=method.usable_once,
        is_usable=reason == "EnabledByPolicy",
        method_usability_reason=reason,
    ).wire()


class StrongAuthenticationRequirements(GraphModel):
    """Graph's `strongAuthenticationRequirements` (beta on Entra): the per-user MFA state."""

    odata_context: str | None = Field(None, alias="@odata.context")
    per_user_mfa_state: Literal["disabled", "enabled", "enforced"]


class StrongAuthenticationRequirementsPatch(GraphInput):
    """`PATCH …/authentication/requirements`."""

    per_user_mfa_state: Literal["disabled", "enabled", "enforced"]
