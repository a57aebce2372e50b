"""What the Graph API needs from the composition root, handed to `build_graph_app` (it never imports `tenantry.app`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tenantry.apps.service import AppService
from tenantry.audit.service import AuditService
from tenantry.common.clock import Clock
from tenantry.conditional_access.service import ConditionalAccessService
from tenantry.credentials.federated import FederatedCredentialService
from tenantry.credentials.service import CredentialService
from tenantry.credentials.share_links import ShareLinkService
from tenantry.directory.authorization import Authorizer
from tenantry.directory.groups import GroupService
from tenantry.directory.role_service import RoleService
from tenantry.directory.service import DirectoryService
from tenantry.directory.users import UserService
from tenantry.passwords.lockout import Lockout
from tenantry.passwords.service import PasswordPolicyService
from tenantry.sessions.mfa_admin import AuthMethodService
from tenantry.sessions.sspr.methods import SecurityInfoService
from tenantry.signins.service import SignInLog
from tenantry.sso.service import SeamlessSsoService
from tenantry.tokens.keys import ActiveKey


@dataclass(frozen=True)
class GraphDeps:
    """Services and settings of the Graph adapter."""

    clock: Clock
    published_keys: Callable[[], tuple[ActiveKey, ...]]
    clock_skew: timedelta
    # The issuer's base and the base of `@odata.context`, next links, `Location` and share links.
    public_url: str
    directory: DirectoryService[Any]  # any unit type: Graph only reads tenants through it
    apps: AppService
    credentials: CredentialService
    share_links: ShareLinkService
    roles: RoleService
    audit: AuditService
    authorizer: Authorizer
    users: UserService
    groups: GroupService
    password_policies: PasswordPolicyService
    lockout: Lockout
    auth_methods: AuthMethodService
    conditional_access: ConditionalAccessService
    sign_ins: SignInLog | None = None
    # E-mail methods and security questions (self-service password reset); None: emailMethods is 404.
    security_info: SecurityInfoService | None = None
    # Federated identity credentials of applications; None: federatedIdentityCredentials is 404.
    federated_credentials: FederatedCredentialService | None = None
    # Seamless SSO's realms (read-only here); None: the list is empty.
    seamless_sso: SeamlessSsoService | None = None


def graph_deps() -> GraphDeps:
    """FastAPI dependency: `build_graph_app` overrides it with the app's one `GraphDeps` (a typed binding
    made once, instead of a lookup on the application's state)."""
    raise RuntimeError("graph_deps is bound by build_graph_app")
