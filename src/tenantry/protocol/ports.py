"""The storage the STS needs, declared by the STS itself (style P7); `store.SqlUnit` satisfies it."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from tenantry.apps.repository import ApplicationReader, AssignmentReader, ServicePrincipalReader
from tenantry.credentials.repository import AssertionReplayRepository, CredentialReader
from tenantry.protocol.tenancy import TenantFinder


class StsUnit(
    TenantFinder,
    ApplicationReader,
    ServicePrincipalReader,
    AssignmentReader,
    CredentialReader,
    AssertionReplayRepository,
    Protocol,
):
    """Reads for validation, plus the one write client authentication needs (the jti replay cache)."""


class StsStore(Protocol):
    """Hands out one transaction per request phase."""

    def transaction(self) -> AbstractContextManager[StsUnit]:
        """Commit on success, roll back on error."""
        ...
