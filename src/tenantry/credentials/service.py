"""Credential lifecycle: add (shown once), reset like `az ad app credential reset`, list, delete.

Several secrets and certificates may be valid at once, so rotation never needs downtime: add the new
one, move the app over, delete the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol

from tenantry.apps.models import Application
from tenantry.common.clock import Clock
from tenantry.common.ids import new_guid
from tenantry.credentials.certificates import parse_certificate
from tenantry.credentials.models import KeyCredential, NewSecret, PasswordCredential
from tenantry.credentials.repository import CredentialRepository
from tenantry.credentials.secrets import HINT_LENGTH, SecretHasher, generate_secret

DEFAULT_SECRET_YEARS = 1


class CredentialsUnit(CredentialRepository, Protocol):
    """The repositories one credential transaction needs."""


class CredentialError(ValueError):
    """A credential request we refuse, with a message fit for the CLI and Graph."""


def secret_end(now: datetime, years: int | None, end_date: datetime | None) -> datetime:
    """The end of a new secret: `--years` or `--end-date`, not both (az's "usage error")."""
    if years is not None and end_date is not None:
        raise CredentialError("usage error: --years | --end-date")
    if end_date is not None:
        if end_date <= now:
            raise CredentialError("the end date must be in the future")
        return end_date
    count = DEFAULT_SECRET_YEARS if years is None else years
    if count < 1:
        raise CredentialError("--years must be at least 1")
    return now + timedelta(days=365 * count)


class CredentialService:
    """Adds, lists and removes an app's secrets and certificates."""

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[CredentialsUnit]],
        hasher: SecretHasher,
        clock: Clock,
    ) -> None:
        self._transaction = transaction
        self._hasher = hasher
        self._clock = clock

    def add_secret(self, app: Application, display_name: str = "", end: datetime | None = None) -> NewSecret:
        """Create a secret; its clear value is returned here and never again."""
        now = self._clock.now()
        text = generate_secret()
        credential = PasswordCredential(
            key_id=new_guid(),
            tenant_id=app.tenant_id,
            application_id=app.id,
            display_name=display_name,
            hint=text[:HINT_LENGTH],
            secret_hash=self._hasher.hash(text),
            start=now,
            end=end or secret_end(now, None, None),
        )
        with self._transaction() as unit:
            unit.add_password_credential(credential)
        return NewSecret(credential, text)

    def reset_secret(
        self, app: Application, *, append: bool, display_name: str = "", end: datetime | None = None
    ) -> NewSecret:
        """Without `append`, every existing secret is removed first, as `az ad app credential reset` does."""
        if not append:
            with self._transaction() as unit:
                for old in unit.list_password_credentials(app.tenant_id, app.id):
                    unit.remove_password_credential(app.tenant_id, app.id, old.key_id)
        return self.add_secret(app, display_name, end)

    def add_certificate(
        self, app: Application, data: bytes, *, display_name: str = "", append: bool = True
    ) -> KeyCredential:
        """Register a public certificate; its validity window is the certificate's own."""
        parsed = parse_certificate(data)
        if parsed.not_after <= self._clock.now():
            raise CredentialError("the certificate has already expired")
        credential = KeyCredential(
            key_id=new_guid(),
            tenant_id=app.tenant_id,
            application_id=app.id,
            display_name=display_name or parsed.subject,
            cert_der=parsed.der,
            thumbprint_sha1=parsed.thumbprint_sha1,
            thumbprint_sha256=parsed.thumbprint_sha256,
            start=parsed.not_before,
            end=parsed.not_after,
        )
        with self._transaction() as unit:
            if not append:
                for old in unit.list_key_credentials(app.tenant_id, app.id):
                    unit.remove_key_credential(app.tenant_id, app.id, old.key_id)
            unit.add_key_credential(credential)
        return credential

    def list_credentials(self, app: Application) -> tuple[list[PasswordCredential], list[KeyCredential]]:
        """Secrets (metadata only) and certificates of the app."""
        with self._transaction() as unit:
            return (
                unit.list_password_credentials(app.tenant_id, app.id),
                unit.list_key_credentials(app.tenant_id, app.id),
            )

    def delete_credential(self, app: Application, key_id: str) -> bool:
        """Remove the secret or certificate with this keyId; False when the app has none."""
        with self._transaction() as unit:
            removed = unit.remove_password_credential(app.tenant_id, app.id, key_id.lower())
            return removed or unit.remove_key_credential(app.tenant_id, app.id, key_id.lower())
