"""`grant_type=urn:ietf:params:oauth:grant-type:device_code`, and msal-node's alias `device_code`
(RFC 8628 §3.4–3.5; entra-reference §1.6; msal-compat §2.5, §5).

```mermaid
stateDiagram-v2
    [*] --> pending: POST /devicecode
    pending --> approved: /devicelogin, user signs in and consents
    pending --> declined: /devicelogin, user refuses
    approved --> redeemed: poll (tokens issued)
```

Poll answers: pending → 70016 `authorization_pending`; expired → 70019 `expired_token`; unknown device
code → 70018 `bad_verification_code`; already redeemed → 90120; declined → 65004 (UserDeclinedConsent,
the user refused) answered with Entra's device-flow error `authorization_declined`.

`slow_down` rule: only when a poll comes less than half an `interval` after the previous one, that is,
more than twice per interval. MSAL Python and msal-node both wait a full interval after each
`authorization_pending` before polling again (and the first poll has no predecessor), so a client that
follows the protocol never sees it, however late its requests arrive; that matters because msal-node
treats `slow_down` as fatal (msal-compat §5) while MSAL Python adds 5 s and goes on. It is answered with
the pending code 70016 and `error=slow_down`, RFC 8628's name; the catalogue has no code of its own for it.

The scopes come from the stored device code: MSAL Python sends none when it polls.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.client_auth import AuthenticatedClient
from tenantry.protocol.delegation import check_user_assignment
from tenantry.protocol.form import require
from tenantry.protocol.grants.base import TokenRequest
from tenantry.protocol.grants.delegated import (
    SignIn,
    check_user_state,
    commit_now,
    granted_scp,
    identify_client,
    prove_client,
    user_grant,
)
from tenantry.protocol.grants.deps import StoredCodeGrantDeps
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.scopes import parse_user_scopes
from tenantry.protocol.tenancy import TenantRef
from tenantry.protocol.user_tokens import UserGrant
from tenantry.tokens.models import DeviceCode
from tenantry.tokens.opaque import token_hash

DEVICE_CODE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
MSAL_NODE_GRANT_TYPE = "device_code"
PENDING, APPROVED, DECLINED, REDEEMED = "pending", "approved", "declined", "redeemed"


def as_oauth_error(err: AadstsError, oauth_error: str) -> AadstsError:
    """The same AADSTS code under another RFC 8628 `error` value (`slow_down`, `authorization_declined`)."""
    return replace(err, spec=replace(err.spec, oauth_error=oauth_error))


def is_too_fast(code: DeviceCode, now: datetime) -> bool:
    """More than two polls per interval (see the module docstring for why not one)."""
    if code.last_polled_at is None:
        return False
    return (now - code.last_polled_at).total_seconds() < code.interval / 2


@dataclass(frozen=True, slots=True)
class DeviceCodeDecision:
    """An approved device code and the tokens it is exchanged for."""

    base_url: str
    code: DeviceCode
    client: AuthenticatedClient
    grant: UserGrant


class DeviceCodeGrant:
    """Answers device polls; the approval itself happens on the /devicelogin page."""

    grant_type: ClassVar[str] = DEVICE_CODE_GRANT_TYPE
    parameters: ClassVar[frozenset[str]] = frozenset({"device_code", "client_info"})

    def __init__(self, deps: StoredCodeGrantDeps) -> None:
        self._deps = deps

    def validate(self, request: TokenRequest, unit: StsUnit) -> DeviceCodeDecision:
        """Client, device code, credential, state; only an approved code gets past this."""
        authenticator = self._deps.client_authenticator
        caller = identify_client(authenticator, request, unit)
        code = unit.find_device_code(token_hash(require(request.form, "device_code")))
        if code is None:
            raise AadstsError.of(Aadsts.BadVerificationCode, hint="The device_code is not valid.")
        if code.client_id != caller.app.app_id:
            raise AadstsError.of(Aadsts.InvalidGrant, hint="The device code was issued to another client.")
        tenant = self._tenant(code, request.tenant, unit)
        acr, assertion = prove_client(authenticator, request, caller, unit, tenant, public=caller.app.is_public_client)
        self._check_state(code)
        assert tenant is not None, "an approved device code names its tenant"
        client = AuthenticatedClient(
            caller.app, authenticator.service_principal(caller.app, tenant, unit), acr, assertion
        )
        return DeviceCodeDecision(request.base_url, code, client, self._grant(code, tenant, client, request, unit))

    @staticmethod
    def _tenant(code: DeviceCode, ref: TenantRef, unit: StsUnit) -> Tenant | None:
        """The path's tenant, or once approved the user's; polling at another tenant than the approval's → 700005."""
        if code.tenant_id is None:
            return ref.tenant
        if ref.tenant is not None and ref.tenant.id != code.tenant_id:
            raise AadstsError.of(Aadsts.InvalidGrantRedeemAgainstWrongTenant)
        return ref.tenant or unit.find_tenant(code.tenant_id)

    def _check_state(self, code: DeviceCode) -> None:
        """Redeemed, declined, expired, pending (recording the poll), or approved (returns)."""
        now = self._deps.clock.now()
        if code.status == REDEEMED:
            raise AadstsError.of(Aadsts.InvalidDeviceFlowRequest)
        if code.status == DECLINED:
            raise as_oauth_error(AadstsError.of(Aadsts.UserDeclinedConsent), "authorization_declined")
        if now >= code.expires_at:
            raise AadstsError.of(Aadsts.CodeExpired)
        if code.status == APPROVED:
            return
        too_fast = is_too_fast(code, now)
        # The poll's time must be kept although the answer is an error: commit it on its own, and only while the
        # code is still pending (compare-and-set): `code` may be a stale read (the read cache), and writing it
        # back whole after the user approved would undo the approval, leaving the device polling until expiry.
        polled = replace(code, last_polled_at=now)
        commit_now(self._deps.store, lambda writes: writes.update_device_code_if(polled, expected_status=PENDING))
        pending = AadstsError.of(Aadsts.AuthorizationPending)
        if too_fast:
            raise as_oauth_error(pending, "slow_down").with_hint(
                f"Polled too fast: wait at least {code.interval} seconds between polls."
            )
        raise pending

    def _grant(
        self, code: DeviceCode, tenant: Tenant, client: AuthenticatedClient, request: TokenRequest, unit: StsUnit
    ) -> UserGrant:
        assert code.user_id is not None and code.auth_time is not None, "an approved device code names its user"
        user = unit.find_user(tenant.id, code.user_id)
        if user is None:
            raise AadstsError.of(Aadsts.InvalidGrant, hint="The user who approved the device no longer exists.")
        check_user_state(user, code.auth_time)
        scopes = parse_user_scopes(" ".join(code.scopes), tenant, unit)
        check_user_assignment(client.service_principal, user, unit)
        scp = granted_scp(client, scopes, user, unit)
        return user_grant(SignIn(tenant, auth_time=code.auth_time), client, user, scopes, scp, request)

    def needs_write(self, decision: DeviceCodeDecision) -> bool:
        """Redeeming changes the code's status."""
        return True

    def issue(self, decision: DeviceCodeDecision, unit: StsUnit) -> dict[str, Any]:
        """Mark the code redeemed by a compare-and-set on its status (approved → redeemed), so that of two
        concurrent polls exactly one gets tokens, on every backend."""
        redeemed = replace(decision.code, status=REDEEMED, last_polled_at=self._deps.clock.now())
        if not unit.update_device_code_if(redeemed, expected_status=APPROVED):
            raise AadstsError.of(Aadsts.InvalidDeviceFlowRequest)
        self._deps.client_authenticator.record_assertion(decision.client, unit)
        return self._deps.user_tokens.issue(decision.grant, unit, decision.base_url)


class MsalNodeDeviceCodeGrant(DeviceCodeGrant):
    """The same grant under the short name msal-node polls with (`grant_type=device_code`, observed)."""

    grant_type: ClassVar[str] = MSAL_NODE_GRANT_TYPE
