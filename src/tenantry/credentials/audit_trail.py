"""What the audit log says about credential changes: Entra's activity names and its `KeyDescription`
modified property (`[KeyIdentifier=…,KeyType=Password,KeyUsage=Verify,DisplayName=…]`), never a value."""

from __future__ import annotations

from datetime import timedelta

from tenantry.apps.models import Application
from tenantry.audit.events import AuditActivity
from tenantry.audit.models import Target
from tenantry.credentials.models import KeyCredential, PasswordCredential
from tenantry.credentials.policy import DEFAULT_POLICY_ID

PASSWORD = "Password"  # noqa: S105 - a key type name, not a password
CERTIFICATE = "AsymmetricX509Cert"


def key_description(key_id: str, key_type: str, display_name: str) -> str:
    """Entra's one-line description of a key in `modifiedProperties`."""
    return f"[KeyIdentifier={key_id},KeyType={key_type},KeyUsage=Verify,DisplayName={display_name}]"


def credential_target(app: Application, credential: PasswordCredential | KeyCredential, *, added: bool) -> Target:
    """The application, with the key added (new value) or removed (old value)."""
    key_type = PASSWORD if isinstance(credential, PasswordCredential) else CERTIFICATE
    text = key_description(credential.key_id, key_type, credential.display_name)
    change = ("KeyDescription", "", text) if added else ("KeyDescription", text, "")
    return Target("Application", app.id, app.display_name, (change,))


def credential_activity(credential: PasswordCredential | KeyCredential, *, added: bool) -> AuditActivity:
    """Entra's activity for adding or removing a secret or a certificate."""
    if isinstance(credential, PasswordCredential):
        return AuditActivity.ADD_SECRET if added else AuditActivity.REMOVE_SECRET
    return AuditActivity.ADD_CERTIFICATE if added else AuditActivity.REMOVE_CERTIFICATE


def _iso_duration(lifetime: timedelta | None) -> str:
    """ISO 8601 duration as Graph's `maxLifetime` writes it (`P180D`, `P1DT3600S`)."""
    if lifetime is None:
        return ""
    return f"P{lifetime.days}D" + (f"T{lifetime.seconds}S" if lifetime.seconds else "")


def policy_target(old: timedelta | None, new: timedelta | None) -> Target:
    """The tenant's default app management policy with its `passwordLifetime` before and after (ISO 8601)."""
    change = ("passwordLifetime", _iso_duration(old), _iso_duration(new))
    return Target("Policy", DEFAULT_POLICY_ID, "Default app management policy", (change,))
