"""One object per transaction implementing every repository Protocol (style P7's typed check below)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenantry.store.sql.apps import SqlApplications, SqlServicePrincipals
from tenantry.store.sql.audit import SqlAudit
from tenantry.store.sql.auth_methods import SqlAuthMethods
from tenantry.store.sql.conditional_access import SqlConditionalAccess
from tenantry.store.sql.consent import SqlPermissionGrants
from tenantry.store.sql.credentials import SqlCredentials
from tenantry.store.sql.directory import SqlTenants
from tenantry.store.sql.federated import SqlFederatedCredentials
from tenantry.store.sql.flows import SqlFlows
from tenantry.store.sql.lifecycle import SqlLifecycle
from tenantry.store.sql.lockout import SqlLockout
from tenantry.store.sql.managed_identities import SqlManagedIdentities
from tenantry.store.sql.owners import SqlOwners
from tenantry.store.sql.password_policies import SqlPasswordPolicies
from tenantry.store.sql.roles import SqlRoleAssignments
from tenantry.store.sql.seamless_sso import SqlSeamlessSso
from tenantry.store.sql.sessions import SqlSessions
from tenantry.store.sql.sign_in_logs import SqlSignInLogs
from tenantry.store.sql.sspr import SqlSspr
from tenantry.store.sql.subscriptions import SqlSubscriptions
from tenantry.store.sql.token_records import SqlTokenRecords
from tenantry.store.sql.tokens import SqlSigningKeys
from tenantry.store.sql.users import SqlUsers


class SqlUnit(
    SqlTenants,
    SqlUsers,
    SqlApplications,
    SqlServicePrincipals,
    SqlPermissionGrants,
    SqlCredentials,
    SqlSigningKeys,
    SqlTokenRecords,
    SqlSessions,
    SqlFlows,
    SqlRoleAssignments,
    SqlOwners,
    SqlAudit,
    SqlLifecycle,
    SqlPasswordPolicies,
    SqlLockout,
    SqlSignInLogs,
    SqlAuthMethods,
    SqlSspr,
    SqlConditionalAccess,
    SqlSubscriptions,
    SqlManagedIdentities,
    SqlFederatedCredentials,
    SqlSeamlessSso,
):
    """All SQL repositories over one connection and its transaction."""


if TYPE_CHECKING:
    from tenantry.apps.managed_identities import ManagedIdentitiesUnit
    from tenantry.apps.repository import OwnerRepository, PermissionGrantRepository
    from tenantry.apps.service import AppsUnit
    from tenantry.apps.user_consent import UserConsentUnit
    from tenantry.audit.repository import AuditRepository
    from tenantry.conditional_access.repository import ConditionalAccessRepository
    from tenantry.credentials.federated import FederatedUnit
    from tenantry.credentials.repository import AssertionReplayRepository, LifecycleRepository
    from tenantry.credentials.service import CredentialsUnit
    from tenantry.directory.repository import GroupRepository, RoleAssignmentRepository, UserRepository
    from tenantry.directory.subscriptions import SubscriptionsUnit
    from tenantry.passwords.lockout import LockoutUnit
    from tenantry.passwords.service import PasswordPolicyUnit
    from tenantry.sessions.mfa import AuthMethodRepository
    from tenantry.sessions.repository import SessionRepository, SignInUnit
    from tenantry.sessions.sspr.repository import SsprUnit
    from tenantry.signins.repository import SignInLogRepository
    from tenantry.sso.repository import SeamlessSsoRepository
    from tenantry.tokens.repository import SigningKeyRepository, TokenRecordRepository

    def _conforms(unit: SqlUnit) -> None:
        """mypy proves here that SqlUnit implements every Protocol (Go's `var _ Iface = (*Impl)(nil)`)."""
        _apps: AppsUnit = unit
        _credentials: CredentialsUnit = unit
        _keys: SigningKeyRepository = unit
        _replay: AssertionReplayRepository = unit
        _users: UserRepository = unit
        _groups: GroupRepository = unit
        _consent: PermissionGrantRepository = unit
        _user_consent: UserConsentUnit = unit
        _token_records: TokenRecordRepository = unit
        _sessions: SessionRepository = unit
        _sign_in: SignInUnit = unit
        _roles: RoleAssignmentRepository = unit
        _owners: OwnerRepository = unit
        _audit: AuditRepository = unit
        _lifecycle: LifecycleRepository = unit
        _password_policies: PasswordPolicyUnit = unit
        _lockout: LockoutUnit = unit
        _sign_in_logs: SignInLogRepository = unit
        _auth_methods: AuthMethodRepository = unit
        _sspr: SsprUnit = unit
        _conditional_access: ConditionalAccessRepository = unit
        _subscriptions: SubscriptionsUnit = unit
        _managed_identities: ManagedIdentitiesUnit = unit
        _federated: FederatedUnit = unit
        _seamless_sso: SeamlessSsoRepository = unit
