"""Graph `signIn`: one sign-in log entry as `auditLogs/signIns` lists it (entra-reference §7.1)."""

from __future__ import annotations

from pydantic import Field

from tenantry.graph.schemas.common import GraphDateTime, GraphModel
from tenantry.signins.models import SignInEntry

ERROR_DETAILS = "For more details, see https://login.microsoftonline.com/error"


class SignInStatus(GraphModel):
    """`status`: 0 for a success, else the AADSTS code and its reason."""

    error_code: int = 0
    failure_reason: str | None = None
    additional_details: str | None = None


class AppliedConditionalAccessPolicy(GraphModel):
    """An entry of `appliedConditionalAccessPolicies`: a policy, its result and the controls it enforced."""

    id: str | None = None
    display_name: str | None = None
    enforced_grant_controls: list[str] = Field(default_factory=list)
    enforced_session_controls: list[str] = Field(default_factory=list)
    result: str | None = None


class SignInResource(GraphModel):
    """Graph `signIn` (v1.0), plus beta's `servicePrincipalId`/`servicePrincipalName` and
    `authenticationRequirement`, which name service-principal sign-ins and MFA."""

    id: str | None = None
    created_date_time: GraphDateTime | None = None
    user_display_name: str | None = None
    user_principal_name: str | None = None
    user_id: str | None = None
    app_id: str | None = None
    app_display_name: str | None = None
    resource_id: str | None = None
    resource_display_name: str | None = None
    service_principal_id: str | None = None
    service_principal_name: str | None = None
    ip_address: str | None = None
    client_app_used: str | None = None
    correlation_id: str | None = None
    conditional_access_status: str | None = None
    applied_conditional_access_policies: list[AppliedConditionalAccessPolicy] = Field(default_factory=list)
    is_interactive: bool = False
    authentication_requirement: str | None = None
    status: SignInStatus = Field(default_factory=SignInStatus)


def _or_none(value: str) -> str | None:
    return value or None


def sign_in_view(entry: SignInEntry) -> SignInResource:
    """One entry; what is unknown (a refused request's user, an app-only sign-in's user) is null."""
    status = SignInStatus(
        error_code=entry.status_error_code,
        failure_reason=entry.failure_reason or None,
        additional_details=None if entry.succeeded else ERROR_DETAILS,
    )
    return SignInResource(
        id=entry.id,
        created_date_time=entry.created_at,
        user_display_name=_or_none(entry.user_display_name),
        user_principal_name=_or_none(entry.user_principal_name),
        user_id=_or_none(entry.user_id),
        app_id=_or_none(entry.app_id),
        app_display_name=_or_none(entry.app_display_name),
        resource_id=_or_none(entry.resource_id),
        resource_display_name=_or_none(entry.resource_display_name),
        service_principal_id=_or_none(entry.service_principal_id),
        service_principal_name=_or_none(entry.service_principal_name),
        ip_address=_or_none(entry.ip_address),
        client_app_used=_or_none(entry.client_app_used),
        correlation_id=_or_none(entry.correlation_id),
        conditional_access_status=entry.conditional_access_status,
        applied_conditional_access_policies=[
            AppliedConditionalAccessPolicy(
                id=p.id,
                display_name=p.display_name or None,
                result=p.result or None,
                enforced_grant_controls=list(p.enforced_grant_controls),
            )
            for p in entry.applied_conditional_access_policies
        ],
        is_interactive=entry.is_interactive,
        authentication_requirement=entry.authentication_requirement,
        status=status,
    )
