"""Pairwise subject identifiers (OIDC Core §8.1): a user's `sub` differs for every client app.

Entra's `sub` is pairwise per app and stable; ours is an HMAC of tenant, user and client under a key
derived from the master key, base64url-encoded to the 43 characters Entra's samples show.
"""

from __future__ import annotations

from tenantry.common.ids import b64url
from tenantry.common.master_key import MasterKey

_PURPOSE = "tenantry/pairwise-sub/v1"


class PairwiseSubjects:
    """Computes `sub` for (tenant, user, client)."""

    def __init__(self, master_key: MasterKey) -> None:
        self._master_key = master_key

    def subject(self, tenant_id: str, user_id: str, client_id: str) -> str:
        """The user's subject as seen by one client app."""
        return b64url(self._master_key.mac(_PURPOSE, f"{tenant_id}|{user_id}|{client_id}".encode()))
