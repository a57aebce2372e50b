"""Grant dispatch: one dictionary lookup by `grant_type`, unknown types are AADSTS70003."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from tenantry.errors import Aadsts, AadstsError
from tenantry.protocol.grants.base import CLIENT_PARAMETERS, Grant


class GrantRegistry:
    """Maps grant types (and their aliases) to grants."""

    def __init__(self, grants: Iterable[Grant[Any]]) -> None:
        self._grants: dict[str, Grant[Any]] = {}
        for grant in grants:
            self.register(grant.grant_type, grant)

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
