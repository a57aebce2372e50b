"""Client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2).

Methods: `client_secret_post`, `client_secret_basic`, `private_key_jwt` (certificate assertion) and an
external issuer's token trusted by a federated identity credential (`federated_assertion.py`).
A request may use at most one. The `azpacr`/`appidacr` claim records which: "0" public, "1" secret,
"2" certificate.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote_plus

from tenantry.apps.models import Application, ServicePrincipal
from tenantry.common.clock import Clock
from tenantry.common.ids import is_guid
from tenantry.credentials.models import PasswordCredential
from tenantry.credentials.secrets import SecretHasher
from tenantry.directory.models import Tenant
from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.assertion import (
    JWT_BEARER_ASSERTION_TYPE,
    AssertionExpectations,
    VerifiedAssertion,
    parse_assertion,
    verify_client_assertion,
)
from tenantry.protocol.federated_assertion import FederatedAssertionVerifier, is_federated
from tenantry.protocol.ports import StsUnit
from tenantry.protocol.tenancy import TenantRef


@dataclass(frozen=True, slots=True)
class Presented:
    """The credentials a request carries, before any of them is checked."""

    client_id: str | None
    secret: str | None
    assertion: str | None
    assertion_type: str | None


@dataclass(frozen=True, slots=True)
class AuthenticatedClient:
    """The calling app, its service principal in the tenant, and how it proved itself."""

    app: Application
    service_principal: ServicePrincipal
    acr: str
    assertion: VerifiedAssertion | None = None


def _basic(authorization: str | None) -> tuple[str, str] | None:
    """Decode `Authorization: Basic` (RFC 6749 §2.3.1: both halves are form-urlencoded)."""
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        client_id, secret = decoded.split(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise AadstsError.of(
            Aadsts.InvalidRequestParameter,
            parameter="Authorization",
            hint="The Basic credentials are malformed.",
        ) from exc
    return unquote_plus(client_id), unquote_plus(secret)


def claimed_client_id(form: Mapping[str, str] | None, authorization: str | None) -> str | None:
    """The client_id a request names (body, else Basic header), for the log of its refusal; never raises."""
    if form and form.get("client_id"):
        return form["client_id"]
    try:
        basic = _basic(authorization)
    except AadstsError:
        return None
    return basic[0] if basic else None


def presented_credentials(form: Mapping[str, str], authorization: str | None) -> Presented:
    """Gather credentials from body and header; two methods at once is a malformed request."""
    basic = _basic(authorization)
    client_id = form.get("client_id")
    secret = form.get("client_secret")
    if basic is not None:
        if secret is not None or "client_assertion" in form:
            raise AadstsError.of(
                Aadsts.InvalidRequestParameter,
                parameter="Authorization",
                hint="Use only one client authentication method per request.",
            )
        if client_id is not None and client_id != basic[0]:
            raise AadstsError.of(
                Aadsts.InvalidRequestParameter,
                parameter="client_id",
                hint="The client_id in the body differs from the one in the Authorization header.",
            )
        client_id, secret = basic
    if secret is not None and "client_assertion" in form:
        raise AadstsError.of(
            Aadsts.InvalidRequestParameter,
            parameter="client_assertion",
            hint="Use only one client authentication method per request.",
        )
    return Presented(client_id, secret, form.get("client_assertion"), form.get("client_assertion_type"))


def secret_mismatch(match: PasswordCredential | None, stored: Sequence[PasswordCredential], now: datetime) -> str:
    """Why a secret was refused, for the operator: which of the app's secrets (by key id, as `tenantry app
    credential list` shows them) it was compared with, and their validity; never a value or a hint."""
    if match is not None:
        when = "is not valid before" if now < match.start else "expired at"
        edge = match.start if now < match.start else match.end
        return f"the secret is key {match.key_id}, which {when} {edge:%Y-%m-%dT%H:%M:%SZ}"
    if not stored:
        return "the app has no client secrets"
    tried = ", ".join(f"{c.key_id} ({_validity(c, now)})" for c in stored)
    return f"the secret matches none of the app's {len(stored)} secret(s): {tried}"


def _validity(credential: PasswordCredential, now: datetime) -> str:
    if now < credential.start:
        return "not yet valid"
    return "active" if now <= credential.end else "expired"


class ClientAuthenticator:
    """Finds the client in the tenant and checks whichever credential it presented."""

    def __init__(
        self,
        hasher: SecretHasher,
        clock: Clock,
        skew: timedelta,
        federation: FederatedAssertionVerifier | None = None,
    ) -> None:
        self._hasher = hasher
        self._clock = clock
        self._skew = skew
        self._federation = federation  # None: external issuers' tokens are refused as certificate assertions

    def find_app(self, presented: Presented, unit: StsUnit, tenant_label: str) -> Application:
        """The app named by client_id, wherever its home tenant is; unknown → 700016."""
        client_id = (presented.client_id or "").strip()
        if not client_id:
            raise AadstsError.of(Aadsts.MissingRequestParameter, parameter="client_id")
        app = unit.find_application_by_app_id(client_id.lower()) if is_guid(client_id) else None
        if app is None:
            debug = "no application has this appId" if is_guid(client_id) else "the client_id is not a GUID"
            raise AadstsError.of(
                Aadsts.UnauthorizedClient_DoesNotMatchRequest, client_id=client_id, tenant=tenant_label, debug=debug
            )
        return app

    def service_principal(self, app: Application, tenant: Tenant, unit: StsUnit) -> ServicePrincipal:
        """The app's instance in the tenant tokens are issued in: none → 700016; disabled → 7000112."""
        sp = unit.find_service_principal_by_app_id(tenant.id, app.app_id)
        if sp is None:
            debug = f"app {app.app_id} (home tenant {app.tenant_id}) has no service principal in tenant {tenant.id}"
            raise AadstsError.of(
                Aadsts.UnauthorizedClient_DoesNotMatchRequest, client_id=app.app_id, tenant=tenant.id, debug=debug
            )
        if not sp.account_enabled:
            debug = f"service principal {sp.id} of app {app.app_id} in tenant {tenant.id} is disabled"
            raise AadstsError.of(Aadsts.UnauthorizedClientApplicationDisabled, client_id=app.app_id, debug=debug)
        return sp

    def identify(self, presented: Presented, tenant: TenantRef, unit: StsUnit) -> tuple[Application, ServicePrincipal]:
        """App and service principal for a tenant-specific request."""
        app = self.find_app(presented, unit, tenant.segment)
        if tenant.tenant is None:
            raise AadstsError.of(
                Aadsts.UnauthorizedClient_DoesNotMatchRequest,
                client_id=app.app_id,
                tenant=tenant.segment,
                debug="this grant needs a tenant GUID or domain in the path, not an alias",
            )
        return app, self.service_principal(app, tenant.tenant, unit)

    def verify(
        self, app: Application, presented: Presented, unit: StsUnit, audiences: frozenset[str], *, public: bool
    ) -> tuple[str, VerifiedAssertion | None]:
        """Check the presented credential: ("0", None) for a public client (which must send none), else
        ("1", None) for a secret or ("2", assertion) for a certificate assertion."""
        has_credential = presented.secret is not None or presented.assertion is not None
        if public or app.is_public_client:
            if has_credential:
                debug = "a public client (public flows allowed, or a public redirect URI) sent a secret or assertion"
                raise AadstsError.of(Aadsts.InvalidClientPublicClientWithCredential, debug=debug)
            if public:
                return "0", None
        if presented.secret is not None:
            self._check_secret(app, presented.secret, unit)
            return "1", None
        if presented.assertion is not None:
            return "2", self._check_assertion(app, presented, unit, audiences)
        raise AadstsError.of(
            Aadsts.MissingClientCredential, debug="a confidential client sent neither secret nor assertion"
        )

    def authenticate_confidential(
        self, presented: Presented, tenant: TenantRef, unit: StsUnit, audiences: frozenset[str]
    ) -> AuthenticatedClient:
        """For grants only confidential clients may use: a credential is mandatory."""
        app, sp = self.identify(presented, tenant, unit)
        acr, assertion = self.verify(app, presented, unit, audiences, public=False)
        return AuthenticatedClient(app, sp, acr, assertion)

    def _check_secret(self, app: Application, secret: str, unit: StsUnit) -> None:
        """Match in constant time; an expired match, or a tenant whose secrets all expired, is 7000222."""
        now = self._clock.now()
        stored = unit.list_password_credentials(app.tenant_id, app.id)
        match = self._hasher.match(secret, stored)
        if match is not None and match.is_active(now):
            return
        if (match is not None and match.end < now) or (stored and all(c.end < now for c in stored)):
            raise AadstsError.of(
                Aadsts.InvalidClientSecretExpiredKeysProvided,
                client_id=app.app_id,
                debug=secret_mismatch(match, stored, now),
            )
        raise AadstsError.of(
            Aadsts.InvalidClientSecretProvided, client_id=app.app_id, debug=secret_mismatch(match, stored, now)
        )

    def _check_assertion(
        self, app: Application, presented: Presented, unit: StsUnit, audiences: frozenset[str]
    ) -> VerifiedAssertion:
        if not presented.assertion_type:
            raise AadstsError.of(Aadsts.MissingRequestParameter, parameter="client_assertion_type")
        if presented.assertion_type != JWT_BEARER_ASSERTION_TYPE:
            raise AadstsError.of(
                Aadsts.InvalidRequestParameter,
                parameter="client_assertion_type",
                hint=f"It must be {JWT_BEARER_ASSERTION_TYPE}.",
            )
        assert presented.assertion is not None
        if self._federation is not None and is_federated(parse_assertion(presented.assertion), app.app_id):
            return self._check_federated(app, presented.assertion, unit)
        keys = unit.list_key_credentials(app.tenant_id, app.id)
        expect = AssertionExpectations(app.app_id, audiences, self._clock.now(), self._skew)
        return verify_client_assertion(presented.assertion, keys, expect)

    def _check_federated(self, app: Application, assertion: str, unit: StsUnit) -> VerifiedAssertion:
        """An external issuer's token, against the app's federated identity credentials."""
        assert self._federation is not None
        jws = parse_assertion(assertion)
        credentials = unit.list_federated_credentials(app.tenant_id, app.id)
        credential, expires_at = self._federation.verify(jws, credentials, self._clock.now(), self._skew)
        jti = jws.claims.get("jti")
        return VerifiedAssertion(str(jti or ""), expires_at, f"federated:{credential.id}", federated=True)

    def record_assertion(self, client: AuthenticatedClient, unit: StsUnit) -> None:
        """Second phase: remember the jti; a second use is refused (RFC 7523 §3 item 7). Not for an external
        issuer's token, which its holder may present until it expires, as Entra allows."""
        if client.assertion is None or client.assertion.federated:
            return
        if not unit.remember_assertion(
            client.app.app_id, client.assertion.jti, client.assertion.expires_at, self._clock.now()
        ):
            raise AadstsError.of(
                Aadsts.AuthenticationFailed, hint="This client assertion (its 'jti') was already used."
            )
