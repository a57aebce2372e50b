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
    """Runs one token request in one transaction, so a failed issue leaves nothing half-written."""

    def __init__(self, store: StsStore, grants: GrantRegistry) -> None:
        self._store = store
        self._grants = grants

    def handle(self, segment: str, form: Mapping[str, str], authorization: str | None, base_url: str) -> dict[str, Any]:
        """Return the success body, or raise `AadstsError`."""
        with self._store.transaction() as unit:
            tenant = resolve_tenant(segment, unit)
            grant = self._grants.select(require(form, "grant_type"))
            request = TokenRequest(tenant, GrantRegistry.relevant(grant, form), authorization, base_url)
            decision = grant.validate(request, unit)
            return grant.issue(decision, unit)
