"""Entra's cloud password policy (entra-reference §5.2, §5.4): what a new password must be, and when an old
one has expired.

`check_new_password` is the one check for every new password (change, reset, create); it raises
`PasswordRejectedError`, an `AadstsError` subclass carrying Entra's code, checked in this order:

- 120002 too weak: 8–256 characters from the allowed set and three of four character classes (only the
  length when the user has `DisableStrongPassword`);
- 120003 contains one of the user's names (given name, surname, display-name parts, UPN local part),
  case-insensitive substring after normalisation, names of at least 4 characters;
- 120018 banned: global + tenant custom terms and the tenant's names, normalised, fuzzy (edit distance 1)
  and scored (`passwords/banned.py`); fewer than 5 points is refused.

`is_password_expired` / `must_change_password` decide at sign-in whether the user must change it (50055).
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenantry.directory.models import PasswordPolicy, Tenant, User
from tenantry.errors import Aadsts, AadstsError, get_spec
from tenantry.passwords.banned import MIN_SCORE, TermIndex, contains_term, find_matches, global_index, normalise, score
from tenantry.passwords.hashing import PasswordHashing

MIN_LENGTH = 8
MAX_LENGTH = 256
_SYMBOLS = set("@#$%^&*-_!+=[]{}|\\:',.?/~\"();<> `")
_ALLOWED = set(string.ascii_letters) | set(string.digits) | _SYMBOLS


class WeakPasswordError(ValueError):
    """A password the policy refuses, with a message saying why."""


def check_password_policy(password: str) -> None:
    """Raise `WeakPasswordError` unless the password meets the cloud policy."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise WeakPasswordError(f"a password has {MIN_LENGTH} to {MAX_LENGTH} characters")
    if not set(password) <= _ALLOWED:
        raise WeakPasswordError("a password uses only ASCII letters, digits, space and common symbols")
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(c in _SYMBOLS for c in password),
    ]
    if sum(classes) < 3:
        raise WeakPasswordError("a password mixes three of: lower case, upper case, digits, symbols")


def generate_password(length: int = 16) -> str:
    """A random password that meets the policy: all four character classes, drawn with `secrets`
    (about 95 bits for 16 characters), for accounts created or reset without one given."""
    symbols = "!#$%*+-=?@^_"
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, symbols)
    alphabet = "".join(classes)
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(c in group for c in candidate) for group in classes):
            return candidate


DISABLE_PASSWORD_EXPIRATION = "DisablePasswordExpiration"  # noqa: S105 - a Graph passwordPolicies flag
DISABLE_STRONG_PASSWORD = "DisableStrongPassword"  # noqa: S105 - a Graph passwordPolicies flag
_NAME_PARTS = re.compile(r"[^\w]+|_")

# What the sign-in page shows (Entra's own sentences, entra-reference §5.4) for each refusal.
USER_MESSAGES: dict[int, str] = {
    Aadsts.PasswordChangeInvalidNewPasswordWeak: "Choose a password that's harder for people to guess.",
    Aadsts.PasswordChangeInvalidNewPasswordContainsMemberName: (
        "Your password can't contain your name or user name. Choose a password that's harder for people to guess."
    ),
    Aadsts.PasswordChangePasswordDoesnotComplyFuzzyPolicy: (
        "Unfortunately, your password contains a word, phrase, or pattern that makes your password easily "
        "guessable. Please try again with a different password."
    ),
}


class PasswordRejectedError(AadstsError):
    """A new password the policy refuses: an `AadstsError` (code 120002, 120003 or 120018) whose `hint` says
    why in one client-visible sentence; `user_message` is the sentence the sign-in page shows. Catch it as
    `AadstsError` where an AADSTS body is rendered; Graph maps `code` and `message` into its own envelope."""

    @property
    def user_message(self) -> str:
        """Entra's wording for people, for the page."""
        return USER_MESSAGES.get(self.code, self.message)


def _rejected(code: Aadsts, reason: str, debug: str | None = None) -> PasswordRejectedError:
    return PasswordRejectedError(get_spec(code), hint=reason, debug=debug)


@dataclass(frozen=True)
class NewPasswordContext:
    """Whose password it is: `user_names` (given name, surname, display-name parts, UPN local part),
    `tenant_names` (the tenant's display name and domain labels), the tenant's custom `banned_terms`, and
    whether the strong rules apply (False for a user with `DisableStrongPassword`)."""

    user_names: tuple[str, ...]
    tenant_names: tuple[str, ...]
    banned_terms: tuple[str, ...]
    strong_required: bool = True


def _flags(user: User) -> set[str]:
    return {flag.strip() for flag in (user.password_policies or "").split(",") if flag.strip()}


def _parts(*names: str | None) -> tuple[str, ...]:
    """Each name and its words (split on spaces, dots, dashes, underscores), without empties or repeats."""
    found: dict[str, None] = {}
    for name in names:
        if name:
            found.setdefault(name.strip(), None)
            for word in _NAME_PARTS.split(name):
                if word:
                    found.setdefault(word, None)
    return tuple(found)


def context_for(user: User, tenant: Tenant, policy: PasswordPolicy) -> NewPasswordContext:
    """The context of a new password for `user` in `tenant` under the tenant's `policy`."""
    local = user.user_principal_name.rsplit("@", 1)[0]
    labels = tuple(label for domain in tenant.domains for label in domain.split("."))
    return NewPasswordContext(
        user_names=_parts(user.given_name, user.surname, user.display_name, local),
        tenant_names=_parts(tenant.display_name, *labels),
        banned_terms=policy.banned_terms,
        strong_required=DISABLE_STRONG_PASSWORD not in _flags(user),
    )


def check_new_password(password: str, context: NewPasswordContext) -> None:
    """Raise `PasswordRejectedError` (120002, 120003 or 120018, in that order) unless Entra would accept
    `password` as a new password in this context (entra-reference §5.2, §5.4)."""
    try:
        if context.strong_required:
            check_password_policy(password)
        elif not MIN_LENGTH <= len(password) <= MAX_LENGTH:
            raise WeakPasswordError(f"a password has {MIN_LENGTH} to {MAX_LENGTH} characters")
    except WeakPasswordError as exc:
        raise _rejected(Aadsts.PasswordChangeInvalidNewPasswordWeak, f"The password is too weak: {exc}.") from None
    normalised = normalise(password)
    if contains_term(normalised, context.user_names):
        raise _rejected(
            Aadsts.PasswordChangeInvalidNewPasswordContainsMemberName, "The password contains the user's name."
        )
    custom = TermIndex.of((*context.banned_terms, *context.tenant_names))
    spans = find_matches(normalised, (global_index(), custom))
    points = score(normalised, spans)
    if points < MIN_SCORE:
        raise _rejected(
            Aadsts.PasswordChangePasswordDoesnotComplyFuzzyPolicy,
            "The password contains a word, phrase or pattern that makes it easy to guess.",
            debug=f"banned-password score {points} < {MIN_SCORE} ({len(spans)} banned-term matches)",
        )


def is_password_expired(user: User, policy: PasswordPolicy, now: datetime) -> bool:
    """Whether the password has expired (§5.2): never with `DisablePasswordExpiration`; else at the user's
    own `password_expires_at` if set, or `validity_days` after the last change (or creation); never when
    the tenant's policy has no validity (Entra's default)."""
    if DISABLE_PASSWORD_EXPIRATION in _flags(user):
        return False
    if user.password_expires_at is not None and user.password_expires_at <= now:
        return True
    if policy.validity_days is None:
        return False
    changed = user.password_changed_at or user.created_at
    return changed + timedelta(days=policy.validity_days) <= now


def must_change_password(user: User, policy: PasswordPolicy, now: datetime) -> bool:
    """Whether sign-in must stop at "Update your password" (or answer 50055): an administrator forced a
    change, or the password expired."""
    return user.force_change_password_next_sign_in or is_password_expired(user, policy, now)


SAME_AS_CURRENT = "The new password must be different from the current one."


def check_current_password(
    hashing: PasswordHashing, password_hash: str | None, current: str, *, debug: str | None = None
) -> None:
    """A change of one's own password starts by proving the current one (AADSTS120000). The one rule of the
    "Update your password" page, Graph's `me/changePassword` and the CLI."""
    if not hashing.verify(password_hash, current):
        raise AadstsError.of(Aadsts.PasswordChangeIncorrectCurrentPassword, debug=debug)


def check_replacement(current: str, new: str, context: NewPasswordContext, *, debug: str | None = None) -> None:
    """The new password of a change: not the current one (§5.2: no reuse on change; 120002), then the policy
    (`check_new_password`). `current` has been proven (`check_current_password`), so comparing the texts is
    comparing with the stored password, without a second argon2 verification."""
    if new == current:
        raise AadstsError.of(Aadsts.PasswordChangeInvalidNewPasswordWeak, hint=SAME_AS_CURRENT, debug=debug)
    check_new_password(new, context)
