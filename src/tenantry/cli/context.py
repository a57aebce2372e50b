"""The services every command uses, built once per invocation from the environment's settings."""

from __future__ import annotations

import atexit
import getpass
from functools import cache

from pydantic import ValidationError

from tenantry.app import CredentialLifecycle, Services, build_services, credential_lifecycle
from tenantry.apps.operations import OwnerOperations
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.audit.service import AuditService
from tenantry.cli.output import err_console, fail
from tenantry.cli.server_record import public_url
from tenantry.common.private_files import UnsafeFileModeError
from tenantry.config import Settings
from tenantry.directory.role_service import RoleService
from tenantry.tokens.keys import MasterKeyMismatchError


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad value exits with pydantic's explanation, not a traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise fail(f"invalid configuration:\n{exc}") from exc


def open_services(settings: Settings) -> Services:
    """Build the services or exit with a clear message when the data directory can't be used."""
    try:
        return build_services(settings)
    except (MasterKeyMismatchError, UnsafeFileModeError) as exc:
        raise fail(str(exc)) from exc


@cache
def services() -> Services:
    """Open the store (migrating it) and wire the services; what the command queued on the sign-in log is
    written when it ends (the CLI runs no writer thread)."""
    svc = open_services(load_settings())
    atexit.register(svc.sign_ins.flush)
    return svc


def lifecycle() -> CredentialLifecycle:
    """Expiry scanner, outbox worker and share links over the same services; warnings link to `base_url`."""
    svc = services()
    return credential_lifecycle(svc, public_url(svc.settings.home, svc.settings.public_url)[0])


def roles() -> RoleService:
    """Directory role assignments."""
    return services().roles


def owners() -> OwnerOperations:
    """Application owners."""
    return services().apps


def audit_log() -> AuditService:
    """The directory audit log (read-only)."""
    return services().audit


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no USER/LOGNAME and no passwd entry (some containers)
        return "unknown"


def cli_audit() -> AuditContext:
    """Who the audit log names for a CLI change: the system, acting for the OS user who ran the command."""
    user = _os_user()
    return AuditContext(Actor("system", user, f"Tenantry CLI ({user})"), services().clock.now())


def base_url() -> str:
    """Where links (share links) point: `TENANTRY_PUBLIC_URL`, else the URL the server of this data directory
    recorded (`server_record`), else the default `serve` address. Says so on stderr when the recorded server
    is not running now: the link works once it runs there again."""
    settings = services().settings
    url, record = public_url(settings.home, settings.public_url)
    if record is not None and not record.alive:
        err_console.print(f"Note: no server is running on {settings.home}; links point where it last ran, {url}.")
    return url
