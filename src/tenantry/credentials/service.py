"""Credential lifecycle: add (shown once), reset like `az ad app credential reset`, list, delete.

Several secrets and certificates may be valid at once, so rotation never needs downtime: add the new
one, move the app over, delete the old one. Every add and remove is written to the audit log in the
same transaction as the change (style P14); a caller that passes no `AuditContext` is recorded as the
system actor. A tenant policy may cap the lifetime of new secrets (entra-reference §4.7).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol

from tenantry.apps.models import Application
from tenantry.apps.privilege import is_first_party
from tenantry.audit.events import AuditActivity
from tenantry.audit.recorder import SYSTEM, AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.credentials.audit_trail import credential_activity, credential_target, policy_target
from tenantry.credentials.certificates import create_self_signed, parse_certificate
from tenantry.credentials.errors import CredentialError, CredentialPolicyError
from tenantry.credentials.lifecycle import CredentialPolicy
from tenantry.credentials.models import KeyCredential, NewCertificate, NewSecret, PasswordCredential
from tenantry.credentials.policy import check_secret_lifetime, preset_lifetime
from tenantry.credentials.repository import CredentialRepository, LifecycleRepository
from tenantry.credentials.secrets import HINT_LENGTH, SecretHasher, generate_secret

__all__ = ["CredentialError", "CredentialPolicyError", "CredentialService", "CredentialsUnit", "secret_end"]

DEFAULT_SECRET_YEARS = 1
MAX_DISPLAY_NAME = 256


class CredentialsUnit(CredentialRepository, LifecycleRepository, AuditRepository, Protocol):
    """The repositories one credential transaction needs."""


def secret_end(now: datetime, years: int | None, end_date: datetime | None, *, days: int | None = None) -> datetime:
    """The end of a new secret: `--years`, `--end-date` or a portal preset `--days`, at most one of them."""
    if years is not None and end_date is not None:
        raise CredentialError("usage error: --years | --end-date")
    if days is not None:
        if years is not None or end_date is not None:
            raise CredentialError("usage error: --days | --years | --end-date")
        return now + preset_lifetime(days)
    if end_date is not None:
        if end_date <= now:
            raise CredentialError("the end date must be in the future")
        return end_date
    count = DEFAULT_SECRET_YEARS if years is None else years
    if count < 1:
        raise CredentialError("--years must be at least 1")
    return now + timedelta(days=365 * count)


class CredentialService:
    """Adds, lists and removes an app's secrets and certificates; reads and sets the tenant's lifetime cap."""

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[CredentialsUnit]],
        hasher: SecretHasher,
        clock: Clock,
    ) -> None:
        self._transaction = transaction
        self._hasher = hasher
        self._clock = clock

    def _context(self, audit: AuditContext | None) -> AuditContext:
        return audit or AuditContext(SYSTEM, self._clock.now())

    @staticmethod
    def _check_not_first_party(app: Application) -> None:
        """First-party apps (Microsoft Graph) take no credentials: one would let its holder act as Graph."""
        if is_first_party(app):
            raise CredentialError(f"'{app.display_name}' is a first-party application; it cannot have credentials.")

    def _new_secret(self, app: Application, display_name: str, start: datetime, end: datetime) -> NewSecret:
        text = generate_secret()
        credential = PasswordCredential(
            key_id=new_guid(),
            tenant_id=app.tenant_id,
            application_id=app.id,
            display_name=display_name,
            hint=text[:HINT_LENGTH],
            secret_hash=self._hasher.hash(text),
            start=start,
            end=end,
        )
        return NewSecret(credential, text)

    def _store(self, unit: CredentialsUnit, app: Application, ctx: AuditContext, new: NewSecret) -> None:
        """Check the tenant's cap, insert the secret and audit it (inside the caller's transaction)."""
        credential = new.credential
        check_secret_lifetime(unit.find_credential_policy(app.tenant_id), credential.start, credential.end)
        unit.add_password_credential(credential)
        self._audit(unit, app, ctx, credential, added=True)

    @staticmethod
    def _audit(
        unit: CredentialsUnit,
        app: Application,
        ctx: AuditContext,
        credential: PasswordCredential | KeyCredential,
        *,
        added: bool,
    ) -> None:
        activity = credential_activity(credential, added=added)
        operation = ("Update" if activity is AuditActivity.ADD_SECRET else "Add") if added else "Delete"
        record(unit, ctx, app.tenant_id, activity, (credential_target(app, credential, added=added),), operation)

    def add_secret(
        self,
        app: Application,
        display_name: str = "",
        end: datetime | None = None,
        *,
        start: datetime | None = None,
        audit: AuditContext | None = None,
    ) -> NewSecret:
        """Create a secret; its clear value is returned here and never again. `start` defaults to now
        (Graph's `startDateTime`); a lifetime over the tenant's cap raises `CredentialPolicyError`."""
        self._check_not_first_party(app)
        begin = start or self._clock.now()
        new = self._new_secret(app, display_name, begin, end or secret_end(begin, None, None))
        with self._transaction() as unit:
            self._store(unit, app, self._context(audit), new)
        return new

    def reset_secret(
        self,
        app: Application,
        *,
        append: bool,
        display_name: str = "",
        end: datetime | None = None,
        audit: AuditContext | None = None,
    ) -> NewSecret:
        """Without `append`, every existing secret is removed first, as `az ad app credential reset` does.

        One transaction: a new secret the policy refuses leaves the old ones in place.
        """
        self._check_not_first_party(app)
        now = self._clock.now()
        new = self._new_secret(app, display_name, now, end or secret_end(now, None, None))
        ctx = self._context(audit)
        with self._transaction() as unit:
            check_secret_lifetime(unit.find_credential_policy(app.tenant_id), now, new.credential.end)
            if not append:
                for old in unit.list_password_credentials(app.tenant_id, app.id):
                    if unit.remove_password_credential(app.tenant_id, app.id, old.key_id):
                        self._audit(unit, app, ctx, old, added=False)
            self._store(unit, app, ctx, new)
        return new

    def add_certificate(
        self,
        app: Application,
        data: bytes,
        *,
        display_name: str = "",
        append: bool = True,
        audit: AuditContext | None = None,
    ) -> KeyCredential:
        """Register a public certificate; its validity window is the certificate's own."""
        self._check_not_first_party(app)
        if len(display_name) > MAX_DISPLAY_NAME:
            raise CredentialError(f"a credential's display name has at most {MAX_DISPLAY_NAME} characters")
        parsed = parse_certificate(data)
        if parsed.not_after <= self._clock.now():
            raise CredentialError("the certificate has already expired")
        credential = KeyCredential(
            key_id=new_guid(),
            tenant_id=app.tenant_id,
            application_id=app.id,
            # A certificate's subject can be longer than a display name may be: keep its start.
            display_name=display_name or parsed.subject[:MAX_DISPLAY_NAME],
            cert_der=parsed.der,
            thumbprint_sha1=parsed.thumbprint_sha1,
            thumbprint_sha256=parsed.thumbprint_sha256,
            start=parsed.not_before,
            end=parsed.not_after,
        )
        ctx = self._context(audit)
        with self._transaction() as unit:
            if not append:
                for old in unit.list_key_credentials(app.tenant_id, app.id):
                    if unit.remove_key_credential(app.tenant_id, app.id, old.key_id):
                        self._audit(unit, app, ctx, old, added=False)
            unit.add_key_credential(credential)
            self._audit(unit, app, ctx, credential, added=True)
        return credential

    def create_certificate(
        self,
        app: Application,
        *,
        display_name: str = "",
        end: datetime | None = None,
        append: bool = True,
        audit: AuditContext | None = None,
    ) -> NewCertificate:
        """`--create-cert`: make a self-signed RSA-2048 certificate valid from now to `end` (default one
        year), register its public part, and return the private key this once (it is never stored)."""
        now = self._clock.now().replace(microsecond=0)
        until = end or secret_end(now, None, None)
        if until <= now:
            raise CredentialError("the end date must be in the future")
        made = create_self_signed(app.display_name, now, until)
        credential = self.add_certificate(
            app, made.certificate_pem.encode("ascii"), display_name=display_name, append=append, audit=audit
        )
        return NewCertificate(credential, made.private_key_pem, made.certificate_pem)

    def list_credentials(self, app: Application) -> tuple[list[PasswordCredential], list[KeyCredential]]:
        """Secrets (metadata only) and certificates of the app, expired ones included until deleted."""
        with self._transaction() as unit:
            return (
                unit.list_password_credentials(app.tenant_id, app.id),
                unit.list_key_credentials(app.tenant_id, app.id),
            )

    def delete_credential(self, app: Application, key_id: str, *, audit: AuditContext | None = None) -> bool:
        """Remove the secret or certificate with this keyId; False when the app has none."""
        wanted = key_id.lower()
        ctx = self._context(audit)
        with self._transaction() as unit:
            for secret in unit.list_password_credentials(app.tenant_id, app.id):
                if secret.key_id == wanted and unit.remove_password_credential(app.tenant_id, app.id, wanted):
                    self._audit(unit, app, ctx, secret, added=False)
                    return True
            for cert in unit.list_key_credentials(app.tenant_id, app.id):
                if cert.key_id == wanted and unit.remove_key_credential(app.tenant_id, app.id, wanted):
                    self._audit(unit, app, ctx, cert, added=False)
                    return True
        return False

    def find_policy(self, tenant_id: str) -> CredentialPolicy | None:
        """The tenant's app management policy, if it set one."""
        with self._transaction() as unit:
            return unit.find_credential_policy(tenant_id)

    def set_policy(
        self, tenant_id: str, max_secret_lifetime: timedelta | None, *, audit: AuditContext | None = None
    ) -> CredentialPolicy:
        """Cap (or, with None, uncap) the lifetime of new secrets; existing ones are left as they are, as in
        Entra, where a policy applies to credentials added after it."""
        if max_secret_lifetime is not None and max_secret_lifetime <= timedelta(0):
            raise CredentialError("the maximum secret lifetime must be positive")
        policy = CredentialPolicy(tenant_id, max_secret_lifetime)
        with self._transaction() as unit:
            old = unit.find_credential_policy(tenant_id)
            unit.save_credential_policy(policy)
            target = policy_target(old.max_password_lifetime if old else None, max_secret_lifetime)
            record(unit, self._context(audit), tenant_id, AuditActivity.UPDATE_POLICY, (target,), "Update")
        return policy
