"""Bearer authentication for ARM: access tokens this server issued for Azure Resource Manager.

A token is accepted as Graph's are (`graph/auth.py`): it verifies against our published keys under an issuer
of ours, and its `aud` names ARM (`797f4846-…`, `https://management.core.windows.net/`,
`https://management.azure.com/`). Its subject (`oid`) must still exist in its tenant (`tid`): a deleted user
or service principal holds no subscriptions. A Graph token is refused here, an ARM token by Graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.apps.first_party import ARM_APP_ID, ARM_URIS
from tenantry.arm.deps import ArmDeps
from tenantry.arm.errors import ArmError, unauthenticated
from tenantry.errors import AadstsError
from tenantry.tokens.verify import verify_access_token

ARM_AUDIENCES = frozenset({ARM_APP_ID, *(uri.rstrip("/") for uri in ARM_URIS)})


@dataclass(frozen=True, slots=True)
class ArmCaller:
    """The principal of one request and its tenant."""

    tenant_id: str
    object_id: str


def bearer_token(authorization: str | None) -> str:
    """The token of `Authorization: Bearer <token>` (RFC 6750 §2.1), else 401 `AuthenticationFailed`."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
    return value.strip()


def authenticate(deps: ArmDeps, authorization: str | None) -> ArmCaller:
    """The caller of a request, or `ArmError` 401."""
    token = bearer_token(authorization)
    try:
        verified = verify_access_token(token, deps.published_keys(), deps.public_url, deps.clock.now(), deps.clock_skew)
    except AadstsError as err:
        raise unauthenticated(f"The access token is invalid. {err.message}") from err
    if not any(aud.rstrip("/").lower() in ARM_AUDIENCES for aud in verified.audiences):
        raise unauthenticated("The access token has an invalid audience: it is not a token for Azure Resource Manager.")
    if deps.roles.find_principal(verified.tenant_id, verified.user_id) is None:
        raise unauthenticated("The principal of the access token does not exist in its tenant.")
    return ArmCaller(verified.tenant_id, verified.user_id)
