"""The storage the STS needs, declared by the STS itself (style P7); `store.SqlUnit` satisfies it."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from tenantry.apps.managed_identities import ManagedIdentityRepository
from tenantry.apps.repository import (
    ApplicationReader,
    AssignmentReader,
    PermissionGrantRepository,
    ServicePrincipalReader,
)
from tenantry.conditional_access.repository import ConditionalAccessReader
from tenantry.credentials.federated import FederatedCredentialReader
from tenantry.credentials.repository import AssertionReplayRepository, CredentialReader
from tenantry.directory.repository import GroupRepository, RoleAssignmentReader, UserRepository
from tenantry.passwords.repository import PasswordPolicyRepository
from tenantry.protocol.tenancy import TenantFinder
from tenantry.sessions.mfa import AuthMethodRepository
from tenantry.sessions.repository import FlowRepository, SessionRepository
from tenantry.sso.repository import SeamlessSsoReader
from tenantry.tokens.repository import TokenRecordRepository


class StsUnit(
    TenantFinder,
    ApplicationReader,
    ServicePrincipalReader,
    AssignmentReader,
    CredentialReader,
    AssertionReplayRepository,
    UserRepository,
    GroupRepository,
    RoleAssignmentReader,
    PermissionGrantRepository,
    TokenRecordRepository,
    SessionRepository,
    FlowRepository,
    PasswordPolicyRepository,
    AuthMethodRepository,
    ConditionalAccessReader,
    FederatedCredentialReader,
    ManagedIdentityRepository,
    SeamlessSsoReader,
    Protocol,
):
    """What the STS reads and writes. Validation only reads (style P5); issuing writes codes and tokens."""


class StsStore(Protocol):
    """Hands out one transaction per request phase."""

    def transaction(self, *, write: bool = False) -> AbstractContextManager[StsUnit]:
        """Commit on success, roll back on error; `write=True` when the transaction will write."""
        ...

    def reader(self) -> AbstractContextManager[StsUnit]:
        """For validation: directory lookups may come from a cache that is exact (dropped on any change);
        a connection opens only when something must really be read."""
        ...
