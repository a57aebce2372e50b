"""The only composition root: `build_services` wires storage to domain services; `create_app` adds HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from anyio import CapacityLimiter, to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Host, Router
from starlette.types import ASGIApp

from tenantry.apps.first_party import SYSTEM_TENANT_ID, ensure_first_party, ensure_first_party_service_principals
from tenantry.apps.identifier_uris import public_url_aliases
from tenantry.apps.managed_identities import ManagedIdentityService
from tenantry.apps.service import AppService
from tenantry.apps.user_consent import UserConsentService
from tenantry.arm.app import arm_mount, build_arm_app
from tenantry.arm.deps import ArmDeps
from tenantry.audit.service import AuditService
from tenantry.common.azure_cloud import AzureCloud
from tenantry.common.clock import Clock, SystemClock
from tenantry.common.master_key import MasterKey
from tenantry.common.private_files import ensure_private_directory
from tenantry.common.transparent import ARM_HOST, GRAPH_HOST, is_transparent
from tenantry.conditional_access.service import ConditionalAccessService
from tenantry.config import Settings
from tenantry.credentials.expiry import ExpiryScanner
from tenantry.credentials.federated import FederatedCredentialService
from tenantry.credentials.mail import Mailer, SmtpSettings
from tenantry.credentials.notices import Channels
from tenantry.credentials.outbox import OutboxWorker
from tenantry.credentials.secrets import SecretHasher
from tenantry.credentials.service import CredentialService
from tenantry.credentials.share_links import ShareLinkService
from tenantry.credentials.text_mail import TextMailer
from tenantry.credentials.webhooks import WebhookSender, WebhookTarget
from tenantry.directory.authorization import Authorizer
from tenantry.directory.groups import GroupService
from tenantry.directory.models import Tenant
from tenantry.directory.role_service import RoleService
from tenantry.directory.service import DirectoryService
from tenantry.directory.subscriptions import SubscriptionService
from tenantry.directory.users import UserService
from tenantry.graph.app import build_graph_app, graph_mount
from tenantry.graph.deps import GraphDeps
from tenantry.http.middleware import HttpHardening, http_exception, unexpected_exception
from tenantry.passwords.authenticate import PasswordAuthenticator
from tenantry.passwords.hashing import PasswordHashing
from tenantry.passwords.lockout import FINGERPRINT_PURPOSE, Lockout
from tenantry.passwords.repository import LockoutStateStore
from tenantry.passwords.service import PasswordPolicyService
from tenantry.protocol.authorize.service import AuthorizeService
from tenantry.protocol.client_auth import ClientAuthenticator
from tenantry.protocol.deps import AuthorizeDeps
from tenantry.protocol.endpoints.deps import ProtocolDeps
from tenantry.protocol.endpoints.managed_identity import IdentityEndpointDeps, managed_identity_routes
from tenantry.protocol.federated_assertion import FederatedAssertionVerifier
from tenantry.protocol.grants.catalog import build_registry
from tenantry.protocol.grants.deps import StoredCodeGrantDeps
from tenantry.protocol.managed_identity import ManagedIdentityTokens
from tenantry.protocol.oidc_keys import OidcKeyCache, https_json_fetcher
from tenantry.protocol.routes import build_routes
from tenantry.protocol.sign_in_events import TokenSignIns
from tenantry.protocol.token_service import TokenCall, TokenService
from tenantry.protocol.user_tokens import UserTokenIssuer
from tenantry.sessions.kerberos import SeamlessSignIn
from tenantry.sessions.mfa import new_totp_secret, seal_secret
from tenantry.sessions.mfa_admin import AuthMethodService
from tenantry.sessions.service import SessionService
from tenantry.sessions.signin import SignInService
from tenantry.sessions.sspr.methods import SecurityInfoService
from tenantry.sessions.sspr.policy import SsprPolicyService
from tenantry.sessions.sspr.registration import RegistrationService
from tenantry.sessions.sspr.reset import SsprLimits, SsprParts, SsprService
from tenantry.signins.pages import PageSignIns
from tenantry.signins.service import SignInLog
from tenantry.sso.kerberos import KerberosAcceptor
from tenantry.sso.service import SeamlessSsoService
from tenantry.store.engine import make_engine
from tenantry.store.migrate import upgrade_database
from tenantry.store.redis_lockout import RedisLockoutStates
from tenantry.store.sql.lockout import SqlLockoutStates
from tenantry.store.sql.unit import SqlUnit
from tenantry.store.unit_of_work import Store
from tenantry.tokens.keys import REFRESH_SECONDS, KeyManager
from tenantry.tokens.mint import TokenMinter
from tenantry.tokens.signing_pool import SigningPool
from tenantry.tokens.subjects import PairwiseSubjects
from tenantry.web.admin.deps import AdminDeps
from tenantry.web.admin.operations import Operations
from tenantry.web.admin.operations_routes import operations_routes
from tenantry.web.admin.routes import admin_routes
from tenantry.web.errors import routes as web_routes
from tenantry.web.myaccount.deps import MyAccountDeps
from tenantry.web.myaccount.routes import my_account_routes
from tenantry.web.share import share_routes
from tenantry.web.signin.deps import SignInPageDeps
from tenantry.web.signin.routes import signin_routes
from tenantry.web.signin.winauth import WinAuthDeps, winauth_routes
from tenantry.web.sspr.deps import SsprPageDeps
from tenantry.web.sspr.routes import sspr_routes
from tenantry.web.sspr.security_info import SecurityInfoDeps, security_info_routes

log = logging.getLogger("tenantry")
FIRST_RUN_DELAY = 60.0


@dataclass(frozen=True)
class Services:
    """Every service of one process, built once by `build_services`: what the adapters (HTTP, CLI) call.

    Adapters get typed parts of it (`ProtocolDeps`, `GraphDeps`, `SignInPageDeps`), never a lookup on the
    application object, and nothing is constructed per request."""

    settings: Settings
    clock: Clock
    store: Store
    master_key: MasterKey
    keys: KeyManager
    minter: TokenMinter
    directory: DirectoryService[SqlUnit]
    users: UserService
    groups: GroupService
    apps: AppService
    credentials: CredentialService
    roles: RoleService
    audit: AuditService
    authorizer: Authorizer
    share_links: ShareLinkService
    signin: SignInService
    # Seamless SSO: the realms' keys (`tenantry sso`), and the Kerberos step of the sign-in pages.
    seamless_sso: SeamlessSsoService
    seamless_signin: SeamlessSignIn
    password_policies: PasswordPolicyService
    lockout: Lockout
    auth_methods: AuthMethodService
    # A user's own consents (My Account's "Apps"): list and withdraw.
    consents: UserConsentService
    subscriptions: SubscriptionService
    managed_identities: ManagedIdentityService
    federated_credentials: FederatedCredentialService
    # Tokens of managed identities (the /msi endpoints).
    identity_tokens: ManagedIdentityTokens
    sspr_policies: SsprPolicyService
    security_info: SecurityInfoService
    registration: RegistrationService
    sspr: SsprService
    conditional_access: ConditionalAccessService
    protocol: ProtocolDeps
    # The sign-in log: its writer thread runs in the server (lifespan); the CLI flushes it after each command.
    sign_ins: SignInLog

    @property
    def token_service(self) -> TokenService:
        """The token endpoint's service (validate, then issue)."""
        return self.protocol.token_service


def _provision_tenant(unit: SqlUnit, tenant: Tenant) -> None:
    """Give a new tenant its first-party service principals, in the transaction that creates it."""
    ensure_first_party_service_principals(unit, tenant.id, tenant.created_at)


def open_store(settings: Settings) -> Store:
    """The data directory (private), the database (migrated to head) and its unit of work; the public URL,
    when known, is an App ID URI of Microsoft Graph (`public_url_aliases`)."""
    ensure_private_directory(settings.home)
    store = Store(make_engine(settings.resolved_database_url), public_url_aliases(settings.public_url))
    upgrade_database(store.engine)
    return store


def lockout_states(settings: Settings, store: Store) -> LockoutStateStore:
    """Where smart lockout keeps its counters: Redis when `redis_url` is set, else the database."""
    if settings.redis_url:
        return RedisLockoutStates.from_url(settings.redis_url, settings.redis_key_prefix)
    return SqlLockoutStates(store.transaction)


def build_services(settings: Settings, clock: Clock | None = None, *, store: Store | None = None) -> Services:
    """Open storage (unless given), load the master key, and wire every service once; the server and each
    CLI invocation call this same function."""
    clock = clock or SystemClock()
    store = store or open_store(settings)
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    master_key = MasterKey.load_or_create(secret, settings.home)
    writes = partial(store.transaction, write=True)
    keys = KeyManager(
        writes,
        master_key,
        clock,
        activation_delay=timedelta(seconds=settings.key_activation_delay),
        retire_after=timedelta(seconds=settings.access_token_max_lifetime + settings.clock_skew),
    )
    keys.ensure_signing_key()
    with writes() as unit:
        ensure_first_party(unit, clock.now())
    hashing = PasswordHashing(concurrency=settings.resolved_hash_concurrency)
    hasher = SecretHasher(master_key)
    minter = TokenMinter(keys)
    fingerprints = master_key.derive(FINGERPRINT_PURPOSE)
    lockout = Lockout(lockout_states(settings, store), store.transaction, fingerprints, clock)
    passwords = PasswordAuthenticator(hashing, lockout)
    password_policies = PasswordPolicyService(writes, clock)
    retention = timedelta(days=settings.sign_in_log_retention_days)
    sign_ins = SignInLog(store.transaction, store.log_transaction, clock, retention)
    users = UserService(writes, hashing, clock, policy_for=password_policies.policy_for)
    mailer = TextMailer(smtp_settings(settings), clock)
    registration = RegistrationService(
        store.transaction,
        clock,
        master_key,
        mailer,
        settings.sspr_code_minutes,
        (settings.sspr_attempts_per_user, settings.sspr_rate_window_seconds),
    )
    return Services(
        settings=settings,
        clock=clock,
        store=store,
        master_key=master_key,
        keys=keys,
        minter=minter,
        directory=DirectoryService(
            writes, clock, on_tenant_created=_provision_tenant, hidden_tenant_ids=frozenset({SYSTEM_TENANT_ID})
        ),
        users=users,
        groups=GroupService(writes),
        apps=AppService(writes, clock),
        credentials=CredentialService(writes, hasher, clock),
        roles=RoleService(writes, clock),
        audit=AuditService(store.transaction),
        authorizer=Authorizer(store.transaction),
        share_links=ShareLinkService(writes, master_key, clock),
        password_policies=password_policies,
        lockout=lockout,
        auth_methods=AuthMethodService(writes, clock),
        consents=UserConsentService(store.transaction),
        subscriptions=SubscriptionService(writes, clock),
        managed_identities=ManagedIdentityService(writes),
        federated_credentials=FederatedCredentialService(writes),
        identity_tokens=ManagedIdentityTokens(
            store.reader, minter, clock, (settings.access_token_min_lifetime, settings.access_token_max_lifetime)
        ),
        sspr_policies=SsprPolicyService(store.transaction),
        security_info=SecurityInfoService(store.transaction, clock, master_key),
        sspr=_sspr(settings, store, clock, master_key, (users, lockout)),
        registration=registration,
        conditional_access=ConditionalAccessService(store.transaction, clock),
        signin=SignInService(store, clock, passwords, hashing, master_key, registration),
        seamless_sso=SeamlessSsoService(writes, clock, master_key),
        seamless_signin=SeamlessSignIn(
            store, clock, master_key, KerberosAcceptor(settings.home / "sso", settings.sso_clock_skew_seconds)
        ),
        protocol=_protocol_deps(
            settings, store, clock, keys, ProtocolParts(master_key, hasher, minter, passwords, sign_ins)
        ),
        sign_ins=sign_ins,
    )


def smtp_settings(settings: Settings) -> SmtpSettings | None:
    """The SMTP relay, when `smtp_host` and `smtp_from` are set."""
    if not (settings.smtp_host and settings.smtp_from):
        return None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpSettings(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        settings.smtp_username,
        password,
        settings.smtp_starttls,
    )


def _sspr(
    settings: Settings, store: Store, clock: Clock, key: MasterKey, parts: tuple[UserService, Lockout]
) -> SsprService:
    """Self-service password reset: codes mailed at once over SMTP, the admins' reset without the forced
    change, smart lockout's unlock; limits from `Settings.sspr_*`."""
    users, lockout = parts
    limits = SsprLimits(
        code_minutes=settings.sspr_code_minutes,
        code_attempts=settings.sspr_code_attempts,
        flow_minutes=settings.sspr_flow_minutes,
        window_seconds=settings.sspr_rate_window_seconds,
        per_user=settings.sspr_attempts_per_user,
        per_ip=settings.sspr_attempts_per_ip,
    )
    return SsprService(
        SsprParts(
            transaction=store.transaction,
            clock=clock,
            key=key,
            mailer=TextMailer(smtp_settings(settings), clock),
            reset_password=lambda user, password, ctx: users.reset_password(
                user, password, force_change=False, ctx=ctx
            ),
            unlock=lockout.unlock,
            limits=limits,
        )
    )


@dataclass(frozen=True)
class ProtocolParts:
    """What `build_services` has already made that the STS shares."""

    master_key: MasterKey
    hasher: SecretHasher
    minter: TokenMinter
    passwords: PasswordAuthenticator
    sign_ins: SignInLog


def _protocol_deps(
    settings: Settings, store: Store, clock: Clock, keys: KeyManager, parts: ProtocolParts
) -> ProtocolDeps:
    """The STS: client authentication, grants, the token and authorize services, the signing pool."""
    skew = timedelta(seconds=settings.clock_skew)
    subjects = PairwiseSubjects(parts.master_key)
    lifetimes = (settings.access_token_min_lifetime, settings.access_token_max_lifetime)
    federation = FederatedAssertionVerifier(
        OidcKeyCache(
            https_json_fetcher(settings.federation_http_timeout),
            settings.federation_keys_cache_seconds,
            settings.federation_keys_refresh_seconds,
        )
    )
    authenticator = ClientAuthenticator(parts.hasher, clock, skew, federation)
    user_tokens = UserTokenIssuer(parts.minter, subjects, clock, lifetimes)
    grant_base = StoredCodeGrantDeps(authenticator, clock, user_tokens, store)
    grants = build_registry(grant_base, parts.passwords, keys.published, skew, parts.minter, lifetimes)
    sessions = SessionService(clock)

    def new_sealed_secret() -> bytes:
        return seal_secret(parts.master_key, new_totp_secret())

    authorize = AuthorizeService(
        AuthorizeDeps(
            store,
            clock,
            authenticator,
            parts.minter,
            subjects,
            sessions,
            new_sealed_secret,
            PageSignIns(parts.sign_ins, store, clock),
        )
    )
    return ProtocolDeps(
        max_body_bytes=settings.max_body_bytes,
        store=store,
        clock=clock,
        published_keys=keys.published,
        clock_skew=skew,
        subjects=subjects,
        client_authenticator=authenticator,
        sessions=sessions,
        authorize=authorize,
        token_service=TokenService(store, grants),
        signing_pool=SigningPool(threads=settings.resolved_signing_threads),
        token_threads=CapacityLimiter(settings.token_endpoint_threads),
        sign_ins=TokenSignIns(parts.sign_ins, store),
    )


@dataclass(frozen=True)
class CredentialLifecycle:
    """Expiry warnings (scan + outbox delivery) and one-time share links, wired from the settings."""

    scanner: ExpiryScanner
    outbox: OutboxWorker
    share_links: ShareLinkService
    has_channels: bool = False


def credential_lifecycle(services: Services, public_url: str | None = None) -> CredentialLifecycle:
    """Build the lifecycle jobs; a channel (webhook, SMTP) exists only when its settings are given. Expiry
    warnings name `public_url` (the server's, or the CLI's idea of it) when given."""
    settings, clock = services.settings, services.clock
    writes = partial(services.store.transaction, write=True)
    webhook = None
    if settings.webhook_url and settings.webhook_secret:
        target = WebhookTarget(settings.webhook_url, settings.webhook_secret.get_secret_value().encode("utf-8"))
        webhook = WebhookSender(target, clock)
    mailer = None
    if settings.smtp_host and settings.smtp_from:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        smtp = SmtpSettings(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            settings.smtp_username,
            password,
            settings.smtp_starttls,
        )
        mailer = Mailer(smtp, clock)
    channels = Channels(webhook is not None, mailer is not None, public_url)
    return CredentialLifecycle(
        scanner=ExpiryScanner(writes, clock, settings.expiry_horizon_days, channels),
        outbox=OutboxWorker(writes, clock, webhook=webhook, email=mailer),
        share_links=services.share_links,
        has_channels=channels.webhook or channels.email,
    )


async def _every(seconds: float, job: Callable[[], object], what: str) -> None:
    """Run `job` in a worker thread every `seconds` (the first time after at most a minute, so start-up
    stays quick); a failure is logged and the loop goes on."""
    await asyncio.sleep(min(seconds, FIRST_RUN_DELAY))
    while True:
        try:
            await to_thread.run_sync(job)
        except Exception:  # a database or network hiccup must not end the loop
            log.exception("%s failed; trying again in %s s", what, seconds)
        await asyncio.sleep(seconds)


def _lifecycle_tasks(services: Services, public_url: str) -> list[asyncio.Task[None]]:
    """The expiry scanner (unless `expiry_scan_seconds` is 0) and, when a webhook or SMTP relay is
    configured, the outbox worker (without a channel nothing is ever queued)."""
    lifecycle = credential_lifecycle(services, public_url)
    settings = services.settings
    tasks = []
    if settings.expiry_scan_seconds:
        scan = _every(settings.expiry_scan_seconds, lifecycle.scanner.scan, "credential expiry scan")
        tasks.append(asyncio.create_task(scan))
    if lifecycle.has_channels:
        outbox = _every(settings.outbox_poll_seconds, lifecycle.outbox.deliver_due, "outbox delivery")
        tasks.append(asyncio.create_task(outbox))
    return tasks


async def _refresh_keys_forever(keys: KeyManager) -> None:
    """Pick up key rotations made by other processes (the CLI) without ever blocking a token request."""
    while True:
        await asyncio.sleep(REFRESH_SECONDS)
        try:
            await to_thread.run_sync(keys.reload)
        except Exception:  # a database hiccup must not end the loop: keep the keys we have
            log.exception("reloading the signing keys failed; keeping the current ones")


def _lifespan(services: Services, public_url: str) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_refresh_keys_forever(services.keys))
        background = _lifecycle_tasks(services, public_url)
        services.sign_ins.start()
        try:
            yield
        finally:
            task.cancel()
            for job in background:
                job.cancel()
            services.protocol.signing_pool.close()
            await to_thread.run_sync(services.sign_ins.stop)

    return lifespan


def graph_app(services: Services, public_url: str) -> ASGIApp:
    """The Graph-compatible management API (`/v1.0`), wired to the same services."""
    deps = GraphDeps(
        clock=services.clock,
        published_keys=services.keys.published,
        clock_skew=timedelta(seconds=services.settings.clock_skew),
        public_url=public_url,
        directory=services.directory,
        apps=services.apps,
        credentials=services.credentials,
        share_links=services.share_links,
        roles=services.roles,
        audit=services.audit,
        authorizer=services.authorizer,
        password_policies=services.password_policies,
        lockout=services.lockout,
        auth_methods=services.auth_methods,
        conditional_access=services.conditional_access,
        users=services.users,
        groups=services.groups,
        sign_ins=services.sign_ins,
        security_info=services.security_info,
        federated_credentials=services.federated_credentials,
        seamless_sso=services.seamless_sso,
    )
    return build_graph_app(deps)


def arm_deps(services: Services, public_url: str) -> ArmDeps:
    """The ARM surface's dependencies; with no ARM URL to publish (a public host without a loopback twin and
    no `arm_url`), it still serves tokens' calls but not the cloud metadata document."""
    try:
        cloud: AzureCloud | None = AzureCloud.of(public_url, services.settings.arm_url)
    except ValueError:
        cloud = None
    return ArmDeps(
        clock=services.clock,
        published_keys=services.keys.published,
        clock_skew=timedelta(seconds=services.settings.clock_skew),
        public_url=public_url,
        cloud=cloud,
        directory=services.directory,
        roles=services.roles,
        subscriptions=services.subscriptions,
    )


def admin_deps(services: Services) -> AdminDeps:
    """The admin center's dependencies; it redeems its codes through the token endpoint's own service."""
    token_service = services.token_service

    def redeem(form: Mapping[str, str], base_url: str) -> dict[str, Any]:
        return token_service.handle(TokenCall("organizations", form, None, base_url))

    return AdminDeps(
        clock=services.clock,
        master_key=services.master_key,
        published_keys=services.keys.published,
        clock_skew=timedelta(seconds=services.settings.clock_skew),
        redeem=redeem,
        apps=services.apps,
        credentials=services.credentials,
        share_links=services.share_links,
        users=services.users,
        roles=services.roles,
        authorizer=services.authorizer,
        session_minutes=services.settings.admin_session_minutes,
        operations=admin_operations(services),
        groups=services.groups,
        federated_credentials=services.federated_credentials,
    )


def my_account_deps(services: Services, admin: AdminDeps) -> MyAccountDeps:
    """My Account: the admin center's sign-in, and the services Graph calls for the same acts on oneself."""
    return MyAccountDeps(
        admin, services.users, services.auth_methods, services.security_info, services.consents, services.registration
    )


def admin_operations(services: Services) -> Operations:
    """Monitoring and Settings: the services Graph and the CLI use (the expiry listing is the CLI's scan,
    read-only: it sends no warning)."""
    return Operations(
        sign_ins=services.sign_ins,
        audit=services.audit,
        list_expiring=ExpiryScanner(services.store.transaction, services.clock).list_expiring,
        password_policies=services.password_policies,
        lockout=services.lockout,
        sspr_policies=services.sspr_policies,
        conditional_access=services.conditional_access,
        seamless_sso=services.seamless_sso,
    )


def transparent_hosts(services: Services, public_url: str, graph: ASGIApp) -> list[BaseRoute]:
    """In transparent mode Entra's other hosts answer by Host header, ahead of the path routes: ARM at
    `management.azure.com`'s root (as Azure SDKs call it) and only Graph at `graph.microsoft.com`."""
    if not is_transparent(public_url):
        return []
    return [
        Host(ARM_HOST, app=build_arm_app(arm_deps(services, public_url))),
        Host(GRAPH_HOST, app=Router([graph_mount(graph)])),
    ]


def create_app(services: Services, *, public_url: str) -> Starlette:
    """The ASGI application. `public_url` (`https://host[:port]`, as `serve` resolves it) is the issuer's
    base and the base of every URL the server publishes or links to, whatever Host a request names."""
    if not public_url.startswith(("https://", "http://")) or public_url.endswith("/"):
        raise ValueError(f"public_url must be https://host[:port] without a trailing slash, not {public_url!r}")
    protocol = build_routes(services.protocol)
    page_sign_ins = PageSignIns(services.sign_ins, services.store, services.clock)
    pages = SignInPageDeps(services.signin, services.master_key, page_sign_ins, services.seamless_signin)
    winauth = WinAuthDeps(services.seamless_signin, page_sign_ins, services.settings.sso_url)
    graph = graph_app(services, public_url)
    admin = admin_deps(services)
    return Starlette(
        lifespan=_lifespan(services, public_url),
        routes=[
            *transparent_hosts(services, public_url, graph),
            graph_mount(graph),
            arm_mount(arm_deps(services, public_url)),
            *managed_identity_routes(IdentityEndpointDeps(services.identity_tokens, services.sign_ins)),
            *protocol.routes,
            *signin_routes(pages),
            *winauth_routes(winauth),
            *sspr_routes(SsprPageDeps(services.sspr, services.master_key)),
            *security_info_routes(SecurityInfoDeps(services.registration, services.master_key)),
            *web_routes,
            *share_routes(services.share_links, services.clock),
            *admin_routes(admin),
            *operations_routes(admin),
            *my_account_routes(my_account_deps(services, admin)),
        ],
        middleware=[Middleware(HttpHardening, public_url=public_url, express=(protocol.token_route,))],
        exception_handlers={HTTPException: http_exception, Exception: unexpected_exception},
    )
