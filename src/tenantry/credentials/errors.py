"""Why a credential request is refused: one base class, and the policy violation Graph maps to its own code."""

from __future__ import annotations

from datetime import timedelta


class CredentialError(ValueError):
    """A credential request we refuse, with a message fit for the CLI and Graph."""


class CredentialPolicyError(CredentialError):
    """A new secret outlives the tenant's app management policy (entra-reference §4.7).

    Graph answers 400 `CredentialInvalidLifetimeAsPerAppPolicy` with a `details` entry
    `InvalidKeyEndDate` targeting `EndDate`; the attributes carry what that body needs.
    """

    code = "CredentialInvalidLifetimeAsPerAppPolicy"
    detail_code = "InvalidKeyEndDate"
    target = "EndDate"

    def __init__(self, policy_id: str, max_lifetime: timedelta) -> None:
        super().__init__(f"Credential lifetime exceeds the max value allowed as per assigned policy '{policy_id}'.")
        self.policy_id = policy_id
        self.max_lifetime = max_lifetime
