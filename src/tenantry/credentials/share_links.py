"""One-time share links: hand a new secret over without it ever travelling by e-mail or chat.

`create_share_link` seals the value with the master key (AES-256-GCM, purpose `tenantry/share-link/v1`)
and stores it under the SHA-256 of a random 256-bit token; only `<base>/share/<token>` carries the
token. `reveal` marks the link revealed with a compare-and-set and decrypts in the same transaction,
so exactly one caller ever gets the value; every later call, and any call after the TTL, is `Gone`
(HTTP 410). The page shows a button first (GET never reveals), so a chat app's link preview does not
burn the link. A link whose secret was deleted meanwhile is gone too.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from tenantry.apps.models import Application
from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Actor, Target
from tenantry.audit.recorder import SYSTEM, AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.common.master_key import MasterKey
from tenantry.credentials.errors import CredentialError
from tenantry.credentials.lifecycle import ShareLink
from tenantry.credentials.repository import CredentialReader, LifecycleRepository

log = logging.getLogger("tenantry.credentials.share_links")

PURPOSE = "tenantry/share-link/v1"
SHARE_PATH = "/share/"
DEFAULT_TTL = timedelta(hours=24)
MAX_TTL = timedelta(days=7)
MIN_TTL = timedelta(minutes=1)
_TOKEN_BYTES = 32
_MAX_TOKEN_LENGTH = 128
# The reveal is made by whoever holds the link, who has no identity here: recorded as the share-link page.
LINK_HOLDER = Actor("system", "share-link", "One-time share link page")


class ShareLinkUnit(LifecycleRepository, CredentialReader, AuditRepository, Protocol):
    """The repositories share links need."""


class LinkState(StrEnum):
    """What a token points at right now."""

    AVAILABLE = "available"
    GONE = "gone"
    UNKNOWN = "unknown"


class ShareLinkGoneError(Exception):
    """Revealed already, expired, or its credential was deleted: HTTP 410."""


class ShareLinkNotFoundError(Exception):
    """No link has this token: HTTP 404."""


@dataclass(frozen=True, slots=True)
class CreatedLink:
    """The link to hand over, and when it stops working."""

    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RevealedValue:
    """The value a link held, and what it belongs to (never logged)."""

    value: str
    tenant_id: str
    application_id: str
    key_id: str


def token_hash(token: str) -> bytes:
    """What is stored instead of the token (the token has 256 bits of entropy: no key stretching needed)."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def check_ttl(ttl: timedelta) -> timedelta:
    """Between one minute and seven days."""
    if not MIN_TTL <= ttl <= MAX_TTL:
        raise CredentialError("the share link's lifetime must be between 1 minute and 7 days")
    return ttl


class ShareLinkService:
    """Creates and reveals one-time links."""

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[ShareLinkUnit]],
        master_key: MasterKey,
        clock: Clock,
    ) -> None:
        self._transaction = transaction
        self._master_key = master_key
        self._clock = clock

    def create_share_link(
        self,
        app: Application,
        key_id: str,
        value: str,
        *,
        base_url: str,
        ttl: timedelta = DEFAULT_TTL,
        audit: AuditContext | None = None,
    ) -> CreatedLink:
        """Seal `value` (a new secret, or a created certificate's PEM) for the credential `key_id`."""
        now = self._clock.now()
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        link = ShareLink(
            token_hash=token_hash(token),
            tenant_id=app.tenant_id,
            application_id=app.id,
            key_id=key_id,
            sealed_secret=self._master_key.encrypt(PURPOSE, value.encode("utf-8")),
            created_at=now,
            expires_at=now + check_ttl(ttl),
        )
        ctx = audit or AuditContext(SYSTEM, now)
        with self._transaction() as unit:
            unit.add_share_link(link)
            target = Target("Application", app.id, app.display_name, (("KeyIdentifier", "", key_id),))
            record(unit, ctx, app.tenant_id, AuditActivity.SECRET_SHARE_LINK_CREATED, (target,), "Add")
        return CreatedLink(f"{base_url.rstrip('/')}{SHARE_PATH}{token}", link.expires_at)

    def _usable(self, unit: ShareLinkUnit, link: ShareLink, now: datetime) -> bool:
        if link.revealed_at is not None or now >= link.expires_at:
            return False
        keys = {s.key_id for s in unit.list_password_credentials(link.tenant_id, link.application_id)}
        keys |= {c.key_id for c in unit.list_key_credentials(link.tenant_id, link.application_id)}
        return link.key_id in keys

    def state(self, token: str) -> LinkState:
        """For the page's GET: whether there is something to reveal; never reveals or changes anything."""
        if not token or len(token) > _MAX_TOKEN_LENGTH:
            return LinkState.UNKNOWN
        with self._transaction() as unit:
            link = unit.find_share_link(token_hash(token))
            if link is None:
                return LinkState.UNKNOWN
            return LinkState.AVAILABLE if self._usable(unit, link, self._clock.now()) else LinkState.GONE

    def reveal(self, token: str, *, audit: AuditContext | None = None) -> RevealedValue:
        """The value, exactly once; `ShareLinkGoneError` afterwards or after the TTL."""
        if not token or len(token) > _MAX_TOKEN_LENGTH:
            raise ShareLinkNotFoundError
        now = self._clock.now()
        with self._transaction() as unit:
            link = unit.find_share_link(token_hash(token))
            if link is None:
                raise ShareLinkNotFoundError
            if not self._usable(unit, link, now) or not unit.reveal_share_link(link.token_hash, now):
                raise ShareLinkGoneError
            value = self._master_key.decrypt(PURPOSE, link.sealed_secret).decode("utf-8")
            target = Target("Application", link.application_id, "", (("KeyIdentifier", "", link.key_id),))
            ctx = audit or AuditContext(LINK_HOLDER, now)
            record(unit, ctx, link.tenant_id, AuditActivity.SECRET_SHARE_LINK_REVEALED, (target,), "Other")
        log.info("share link for key %s revealed", link.key_id)
        return RevealedValue(value, link.tenant_id, link.application_id, link.key_id)
