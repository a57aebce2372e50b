"""Storage interface for the sign-in log; `store/sql/sign_in_logs.py` implements it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tenantry.signins.models import SignInEntry, SignInQuery


class SignInLogRepository(Protocol):
    """Append-only entries, written in batches, read newest first, purged by age."""

    def add_sign_ins(self, entries: Sequence[SignInEntry]) -> None:
        """Append a batch in the caller's transaction."""
        ...

    def list_sign_ins(self, query: SignInQuery) -> list[SignInEntry]:
        """The tenant's entries matching `query`, newest first, at most `query.limit`."""
        ...

    def find_sign_in(self, tenant_id: str, entry_id: str) -> SignInEntry | None:
        """One entry of the tenant by id."""
        ...

    def purge_sign_ins(self, before: datetime) -> int:
        """Delete every tenant's entries created before `before`; how many went."""
        ...
