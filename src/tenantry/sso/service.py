"""Seamless SSO settings of a tenant (`tenantry sso enable|disable|status`): one entry per Kerberos realm.

Each realm holds the keys of the service principal `HTTP/<sso-host>@REALM` (Entra's AZUREADSSOACC computer
account), imported from a keytab and sealed under the master key. Importing a newer key version is a
rollover: the previous version stays valid, so tickets issued before the rollover are still accepted until
they expire; anything older is dropped. Status shows versions and ages, never key bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Target
from tenantry.audit.recorder import AuditContext, record
from tenantry.audit.repository import AuditRepository
from tenantry.common.clock import Clock
from tenantry.common.master_key import MasterKey
from tenantry.directory.repository import TenantRepository
from tenantry.sso.keytab import KeytabEntry, parse_keytab
from tenantry.sso.models import RealmStatus, SsoKey
from tenantry.sso.repository import SeamlessSsoRepository

KEY_PURPOSE = "seamless-sso-service-key"
SERVICE_PREFIX = "HTTP/"


class SeamlessSsoError(ValueError):
    """A refused change: unknown tenant, a keytab without the realm's HTTP service keys, an older kvno."""


class SeamlessSsoUnit(SeamlessSsoRepository, TenantRepository, AuditRepository, Protocol):
    """What the settings service reads and writes in one transaction."""


def _status(realm: str, keys: list[SsoKey], clock: Clock) -> RealmStatus:
    newest = max(keys, key=lambda k: (k.kvno, k.imported_at))
    return RealmStatus(
        realm=realm,
        principals=tuple(sorted({k.principal for k in keys})),
        kvnos=tuple(sorted({k.kvno for k in keys}, reverse=True)),
        enctypes=tuple(sorted({k.enctype for k in keys if k.kvno == newest.kvno})),
        imported_at=newest.imported_at,
        age_days=(clock.now() - newest.imported_at).days,
    )


def _service_entries(entries: list[KeytabEntry], realm: str) -> list[KeytabEntry]:
    """The realm's `HTTP/…` keys of the keytab's newest version (other principals are not ours to hold)."""
    ours = [e for e in entries if e.realm == realm and e.principal.startswith(SERVICE_PREFIX)]
    if not ours:
        raise SeamlessSsoError(f"the keytab holds no {SERVICE_PREFIX}<host>@{realm} key")
    newest = max(e.kvno for e in ours)
    return [e for e in ours if e.kvno == newest]


class SeamlessSsoService:
    """Enable (import or roll over keys), disable and describe a tenant's seamless SSO realms."""

    def __init__(
        self, transaction: Callable[[], AbstractContextManager[SeamlessSsoUnit]], clock: Clock, key: MasterKey
    ) -> None:
        self._transaction = transaction
        self._clock = clock
        self._key = key

    def enable(self, tenant_id: str, realm: str, keytab: bytes, ctx: AuditContext) -> RealmStatus:
        """Import the realm's service keys from a keytab; a newer kvno rolls over (the previous one stays)."""
        imported = _service_entries(parse_keytab(keytab), realm)
        kvno = imported[0].kvno
        now = self._clock.now()
        sealed = [
            SsoKey(tenant_id, realm, e.principal, e.kvno, e.enctype, self._key.encrypt(KEY_PURPOSE, e.key), now)
            for e in imported
        ]
        with self._transaction() as unit:
            if unit.find_tenant(tenant_id) is None:
                raise SeamlessSsoError(f"no tenant {tenant_id}")
            held = [k for k in unit.list_sso_keys(tenant_id) if k.realm == realm]
            if any(k.kvno > kvno for k in held):
                raise SeamlessSsoError(f"{realm} already holds a newer key version than {kvno}")
            previous = max((k.kvno for k in held if k.kvno < kvno), default=None)
            kept = [k for k in held if k.kvno == previous]
            unit.replace_sso_keys(tenant_id, realm, sealed + kept)
            change = ("kvno", str(previous or ""), str(kvno))
            target = Target("KerberosRealm", realm, realm, (change,))
            record(unit, ctx, tenant_id, AuditActivity.ENABLE_SEAMLESS_SSO, (target,), "Update")
        return _status(realm, sealed + kept, self._clock)

    def disable(self, tenant_id: str, realm: str | None, ctx: AuditContext) -> int:
        """Forget one realm's keys, or every realm's: tickets are then refused (81007)."""
        with self._transaction() as unit:
            removed = unit.delete_sso_keys(tenant_id, realm)
            if removed:
                target = Target("KerberosRealm", realm or "*", realm or "all realms")
                record(unit, ctx, tenant_id, AuditActivity.DISABLE_SEAMLESS_SSO, (target,), "Delete")
        return removed

    def status(self, tenant_id: str) -> list[RealmStatus]:
        """Each realm with its key versions and the newest key's age."""
        with self._transaction() as unit:
            keys = unit.list_sso_keys(tenant_id)
        realms = sorted({k.realm for k in keys})
        return [_status(realm, [k for k in keys if k.realm == realm], self._clock) for realm in realms]


def open_keys(keys: list[SsoKey], key: MasterKey) -> list[KeytabEntry]:
    """The keys in clear, for the acceptor's private keytab only (sso/kerberos.py)."""
    return [KeytabEntry(k.realm, k.principal, k.kvno, k.enctype, key.decrypt(KEY_PURPOSE, k.sealed_key)) for k in keys]
