"""The token endpoint's logic, free of HTTP: resolve tenant, pick grant, validate, issue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenantry.protocol.form import require
from tenantry.protocol.grants.base import TokenRequest
from tenantry.protocol.grants.registry import GrantRegistry
from tenantry.protocol.ports import StsStore
from tenantry.protocol.tenancy import resolve_tenant


class TokenService:
    """Validates through the store's reader (cached directory lookups), then issues in the same reader
    when nothing is written, or in a write transaction. Whatever the issue phase must re-check
    atomically (a code's single use, a jti) it checks with compare-and-set writes there, so the gap
    between the two phases is harmless; a failed issue rolls back and leaves nothing half-written."""

    def __init__(self, store: StsStore, grants: GrantRegistry) -> None:
        self._store = store
        self._grants = grants

    def handle(
        self,
        segment: str,
        form: Mapping[str, str],
        authorization: str | None,
        base_url: str,
        origin: str | None = None,
    ) -> dict[str, Any]:
        """Return the success body, or raise `AadstsError`; `origin` is the browser's `Origin` header."""
        with self._store.reader() as unit:
            tenant = resolve_tenant(segment, unit)
            grant = self._grants.select(require(form, "grant_type"))
            request = TokenRequest(tenant, GrantRegistry.relevant(grant, form), authorization, base_url, origin)
            decision = grant.validate(request, unit)
            if not grant.needs_write(decision):
                return grant.issue(decision, unit)
        with self._store.transaction(write=True) as unit:
            return grant.issue(decision, unit)
