"""Seamless SSO records: the service principal's keys per tenant and realm, and what `sso status` shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# `tenantry sso status` warns past this age: Entra asks for the AZUREADSSOACC key to be rolled over at
# least every 30 days.
KEY_ROLLOVER_DAYS = 30


@dataclass(frozen=True, slots=True)
class SsoKey:
    """One key of `HTTP/<sso-host>@realm`, sealed under the master key (never stored or shown in clear)."""

    tenant_id: str
    realm: str
    principal: str
    kvno: int
    enctype: int
    sealed_key: bytes
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class RealmStatus:
    """One realm ("forest") of a tenant: its principals, key versions (newest first) and the newest's age."""

    realm: str
    principals: tuple[str, ...]
    kvnos: tuple[int, ...]
    enctypes: tuple[int, ...]
    imported_at: datetime
    age_days: int

    @property
    def needs_rollover(self) -> bool:
        """The newest key is older than the rollover period."""
        return self.age_days > KEY_ROLLOVER_DAYS


@dataclass(frozen=True, slots=True)
class AcceptedTicket:
    """A ticket the acceptor opened: the client principal (`alice@REALM`) and the key that opened it."""

    client_principal: str
    realm: str
    service: str
    kvno: int | None
    mutual_token: bytes | None = None
