"""Grant dispatch: one dictionary lookup by `grant_type`, unknown types are AADSTS70003."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.grants.base import CLIENT_PARAMETERS, Grant, InlineGrant


class GrantRegistry:
    """Maps grant types (and their aliases) to grants; the inline ones are also kept apart, typed."""

    def __init__(self, grants: Iterable[Grant[Any]], inline: Iterable[InlineGrant[Any]] = ()) -> None:
        self._grants: dict[str, Grant[Any]] = {}
        self._inline: dict[str, InlineGrant[Any]] = {}
        for grant in grants:
            self.register(grant.grant_type, grant)
        for fast in inline:
            self._inline[fast.grant_type] = fast
            self.register(fast.grant_type, fast)

    def find_inline(self, grant_type: str) -> InlineGrant[Any] | None:
        """The grant for `grant_type` if it may run on the event loop."""
        return self._inline.get(grant_type)

    def register(self, grant_type: str, grant: Grant[Any]) -> None:
        """Add a grant under a name (msal-node polls device codes with the short alias `device_code`)."""
        self._grants[grant_type] = grant

    def select(self, grant_type: str) -> Grant[Any]:
        """The grant for `grant_type`."""
        grant = self._grants.get(grant_type)
        if grant is None:
            raise AadstsError.of(Aadsts.UnsupportedGrantType, grant_type=grant_type)
        return grant

    @staticmethod
    def relevant(grant: Grant[Any], form: Mapping[str, str]) -> Mapping[str, str]:
        """Drop parameters the grant does not declare, as node-oidc-provider does."""
        allowed = grant.parameters | CLIENT_PARAMETERS
        return MappingProxyType({k: v for k, v in form.items() if k in allowed})
