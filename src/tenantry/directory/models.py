"""Directory records, named as Microsoft Graph names them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Tenant:
    """A directory (Graph `organization`): a GUID and the domains it has verified."""

    id: str
    display_name: str
    domains: tuple[str, ...]
    created_at: datetime

    @property
    def initial_domain(self) -> str:
        """The first domain registered, used where Entra shows `*.onmicrosoft.com`."""
        return self.domains[0]
