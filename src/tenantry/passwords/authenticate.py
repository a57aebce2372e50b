"""Checking a user's password at sign-in (the password page and ROPC share it).

Order: a blocked source address → 50053; unknown user → 50034; a location locked by smart lockout → 50053
(`passwords/lockout.py`: before any argon2 work, so attacks on a locked account cost no hash); wrong
password → 50126 (counted by smart lockout); then, only once the password is proven, disabled account →
50057 and a password that must be changed (forced, or expired) → 50055, so those states are never revealed
to someone who does not know the password. Unknown users cost the same argon2 work as known ones, so timing
does not tell them apart. Each error's `debug` (operators only) names the user by object id, never by what
was typed (people type passwords into the user name box).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol

from tenantry.directory.models import PasswordPolicy, User
from tenantry.errors import Aadsts, AadstsError
from tenantry.passwords.hashing import PasswordHashing
from tenantry.passwords.lockout import Lockout, LockoutAttempt
from tenantry.passwords.policy import is_password_expired

CHANGE_REQUIRED_HINT = "The password must be changed before signing in: sign in interactively to change it."


class PasswordUsers(Protocol):
    """The two user operations sign-in needs."""

    def find_user_by_upn(self, upn: str) -> User | None:
        """By UPN."""
        ...

    def update_user(self, user: User) -> None:
        """Store a rehashed password."""
        ...


class PasswordAuthenticator:
    """Verifies passwords and upgrades old hashes on success; with a `Lockout`, under smart lockout."""

    def __init__(self, hashing: PasswordHashing, lockout: Lockout | None = None) -> None:
        self._hashing = hashing
        self._lockout = lockout
        self._dummy_hash = hashing.hash("timing-equaliser-not-a-password")

    def authenticate(  # noqa: PLR0913 (the sign-in's facts; keyword-only past `tenant_label`)
        self,
        upn: str,
        password: str,
        users: PasswordUsers,
        now: datetime,
        tenant_label: str,
        *,
        client_ip: str = "",
        tenant_id: str | None = None,
    ) -> User:
        """The user whose password this is, or the AADSTS error Entra gives. `client_ip` is where the attempt
        came from (`RequestContext.client_ip`); `tenant_id` the tenant the request named, if any, whose blocked
        ranges apply even to a user name nobody has."""
        user = users.find_user_by_upn(upn.strip())
        attempt = self._check_lockout(user, tenant_id, client_ip, now)
        if user is None:
            self._hashing.verify(self._dummy_hash, password)
            raise AadstsError.of(
                Aadsts.UserAccountNotFound,
                user=upn.strip()[:113],
                tenant=tenant_label,
                debug="no user has this user principal name",
            )
        if not self._hashing.verify(user.password_hash, password):
            if self._lockout is not None and attempt is not None:
                self._lockout.failed(attempt, password, now, user.user_principal_name)
            raise AadstsError.of(Aadsts.InvalidUserNameOrPassword, debug=f"wrong password for user {user.id}")
        if self._lockout is not None and attempt is not None:
            self._lockout.succeeded(attempt)
        if not user.account_enabled:
            raise AadstsError.of(Aadsts.UserDisabled, debug=f"user {user.id} is disabled (password was right)")
        check_password_current(user, PasswordPolicy(user.tenant_id), now)
        if user.password_hash and self._hashing.needs_rehash(user.password_hash):
            user = replace(user, password_hash=self._hashing.hash(password))
            users.update_user(user)
        return user

    def _check_lockout(
        self, user: User | None, tenant_id: str | None, client_ip: str, now: datetime
    ) -> LockoutAttempt | None:
        """50053 for a blocked address or a locked location (no password work at all); else what to report."""
        tenant = user.tenant_id if user is not None else tenant_id
        if self._lockout is None or tenant is None:
            return None
        return self._lockout.check(tenant, user.id if user is not None else None, client_ip, now)


def check_password_current(user: User, policy: PasswordPolicy | None, now: datetime) -> None:
    """Raise 50055 (`user_password_expired`, with Entra's suberror) when a proven user must change the
    password first: an administrator forced a change, or it expired under `policy` (the tenant's; None:
    Entra's defaults). Grants that cannot show the "Update your password" page answer this."""
    expired = is_password_expired(user, policy or PasswordPolicy(user.tenant_id), now)
    if not (user.force_change_password_next_sign_in or expired):
        return
    why = "password expired" if expired else "must change password (forced at next sign-in)"
    err = AadstsError.of(
        Aadsts.InvalidPasswordExpiredPassword, hint=CHANGE_REQUIRED_HINT, debug=f"user {user.id}: {why}"
    )
    raise err.with_suberror("user_password_expired")
