"""Federated identity credentials (Graph `federatedIdentityCredential`): an application trusts tokens that an
external OpenID Connect issuer signed for one subject, in place of a secret or certificate.

Entra's rules, kept here: at most 20 per application; `name` unique in the app (1–120 characters, no
`/ \\ : ? # %`, and fixed once created); `issuer` an https URL and `issuer` + `subject` unique in the app;
`audiences` exactly one value, `api://AzureADTokenExchange` unless given. Adding one is as powerful as adding
a secret, so the Graph adapter checks the same right (`APP_CREDENTIALS`); every change is audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

from tenantry.apps.models import Application
from tenantry.apps.operations import app_target
from tenantry.audit.events import AuditActivity
from tenantry.audit.recorder import AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.ids import new_guid

DEFAULT_AUDIENCE = "api://AzureADTokenExchange"
MAX_PER_APP = 20
MAX_NAME = 120
MAX_TEXT = 600
_NAME_FORBIDDEN = re.compile(r"[/\\:?#%]")
PROPERTY = "FederatedIdentityCredentials"


@dataclass(frozen=True, slots=True)
class FederatedCredential:
    """One trust: tokens of `issuer` whose `sub` is `subject` and whose `aud` holds one of `audiences`."""

    id: str
    tenant_id: str
    application_id: str
    name: str
    issuer: str
    subject: str
    audiences: tuple[str, ...]
    description: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FederatedCredentialInput:
    """What a caller asks for; `None` means "not given" (the default audience, an empty description)."""

    name: str
    issuer: str
    subject: str
    audiences: Sequence[str] | None = None
    description: str | None = None


class FederatedCredentialReader(Protocol):
    """What the token endpoint reads."""

    def list_federated_credentials(self, tenant_id: str, application_id: str) -> list[FederatedCredential]:
        """The application's federated credentials, oldest first."""
        ...


class FederatedCredentialRepository(FederatedCredentialReader, Protocol):
    """Reads and writes, always within one application of one tenant."""

    def add_federated_credential(self, credential: FederatedCredential) -> None:
        """Insert one."""
        ...

    def update_federated_credential(self, credential: FederatedCredential) -> None:
        """Replace issuer, subject, audiences and description (the name is fixed)."""
        ...

    def delete_federated_credential(self, tenant_id: str, application_id: str, credential_id: str) -> bool:
        """Delete one; False when there was none."""
        ...


class FederatedUnit(FederatedCredentialRepository, AuditRepository, Protocol):
    """One transaction of federated credential administration."""


class FederatedCredentialError(ValueError):
    """A refused change, in Graph's words; `conflict` when it collides with an existing credential."""

    def __init__(self, message: str, *, conflict: bool = False, not_found: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict
        self.not_found = not_found


def _text(value: str, field: str, limit: int) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > limit:
        raise FederatedCredentialError(f"Property '{field}' must have 1 to {limit} characters.")
    return cleaned


def check_name(name: str) -> str:
    """1–120 characters without `/ \\ : ? # %` (Entra's rule for FIC names)."""
    cleaned = _text(name, "name", MAX_NAME)
    if _NAME_FORBIDDEN.search(cleaned):
        raise FederatedCredentialError("Property 'name' must not contain any of / \\ : ? # %.")
    return cleaned


def check_issuer(issuer: str) -> str:
    """An absolute https URL (its discovery document is fetched over HTTPS)."""
    cleaned = _text(issuer, "issuer", MAX_TEXT)
    parts = urlsplit(cleaned)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise FederatedCredentialError("Property 'issuer' must be an https URL without query or fragment.")
    return cleaned


def check_audiences(audiences: Sequence[str] | None) -> tuple[str, ...]:
    """Exactly one audience (Entra accepts only one), `api://AzureADTokenExchange` when none is given."""
    if audiences is None:
        return (DEFAULT_AUDIENCE,)
    if len(audiences) != 1:
        raise FederatedCredentialError("Property 'audiences' must hold exactly one value.")
    return (_text(audiences[0], "audiences", MAX_TEXT),)


def _check_unique(existing: Sequence[FederatedCredential], candidate: FederatedCredential) -> None:
    others = [c for c in existing if c.id != candidate.id]
    if any(c.name.lower() == candidate.name.lower() for c in others):
        raise FederatedCredentialError(
            f"A federated identity credential named '{candidate.name}' already exists.", conflict=True
        )
    if any(c.issuer == candidate.issuer and c.subject == candidate.subject for c in others):
        raise FederatedCredentialError(
            "A federated identity credential with this issuer and subject already exists.", conflict=True
        )


class FederatedCredentialService:
    """Add, list, change and delete an application's federated credentials; one transaction per call."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[FederatedUnit]]) -> None:
        self._transaction = transaction

    def add(self, app: Application, wanted: FederatedCredentialInput, *, ctx: AuditContext) -> FederatedCredential:
        """A new credential, within the app's limit of 20 and its uniqueness rules."""
        credential = FederatedCredential(
            new_guid(),
            app.tenant_id,
            app.id,
            check_name(wanted.name),
            check_issuer(wanted.issuer),
            _text(wanted.subject, "subject", MAX_TEXT),
            check_audiences(wanted.audiences),
            (wanted.description or "").strip()[:MAX_TEXT],
            ctx.now,
        )
        with self._transaction() as unit:
            existing = unit.list_federated_credentials(app.tenant_id, app.id)
            if len(existing) >= MAX_PER_APP:
                raise FederatedCredentialError(
                    f"An application can have at most {MAX_PER_APP} federated identity credentials."
                )
            _check_unique(existing, credential)
            unit.add_federated_credential(credential)
            _audit(unit, ctx, app, "", credential.name)
        return credential

    def list(self, app: Application) -> list[FederatedCredential]:
        """The app's credentials, oldest first."""
        with self._transaction() as unit:
            return unit.list_federated_credentials(app.tenant_id, app.id)

    def get(self, app: Application, reference: str) -> FederatedCredential:
        """One credential by id or by name (Graph addresses it by either)."""
        return _find(self.list(app), reference)

    def update(
        self, app: Application, reference: str, wanted: FederatedCredentialInput, *, ctx: AuditContext
    ) -> FederatedCredential:
        """Change issuer, subject, audiences or description; the name cannot change (as in Entra)."""
        with self._transaction() as unit:
            existing = unit.list_federated_credentials(app.tenant_id, app.id)
            current = _find(existing, reference)
            if wanted.name and wanted.name.strip() != current.name:
                raise FederatedCredentialError("Property 'name' cannot be changed.")
            changed = replace(
                current,
                issuer=check_issuer(wanted.issuer) if wanted.issuer else current.issuer,
                subject=_text(wanted.subject, "subject", MAX_TEXT) if wanted.subject else current.subject,
                audiences=check_audiences(wanted.audiences) if wanted.audiences is not None else current.audiences,
                description=current.description if wanted.description is None else wanted.description[:MAX_TEXT],
            )
            _check_unique(existing, changed)
            unit.update_federated_credential(changed)
            _audit(unit, ctx, app, current.name, changed.name)
        return changed

    def delete(self, app: Application, reference: str, *, ctx: AuditContext) -> FederatedCredential:
        """Remove one; tokens of its issuer and subject are refused from the next request on."""
        with self._transaction() as unit:
            current = _find(unit.list_federated_credentials(app.tenant_id, app.id), reference)
            unit.delete_federated_credential(app.tenant_id, app.id, current.id)
            _audit(unit, ctx, app, current.name, "")
        return current


def _find(credentials: Sequence[FederatedCredential], reference: str) -> FederatedCredential:
    wanted = reference.strip()
    for credential in credentials:
        if credential.id == wanted.lower() or credential.name == wanted:
            return credential
    raise FederatedCredentialError(f"Federated identity credential '{reference}' does not exist.", not_found=True)


def _audit(unit: FederatedUnit, ctx: AuditContext, app: Application, old: str, new: str) -> None:
    """Entra records FIC changes as an application update naming the property."""
    target = app_target(app, ((PROPERTY, old, new),))
    record(unit, ctx, app.tenant_id, AuditActivity.UPDATE_APPLICATION, (target,), "Update")
