"""Fixtures of the user-grant suite (authorization code, refresh token, password, device code,
on-behalf-of, userinfo): the directory in `grants/world.py`, helpers in `grants/helpers.py`.

The app, the TestClient, the log guard and the Entra error assertion are the protocol suite's
(`tests/protocol/conftest.py`), imported so both suites check the same wire format the same way.
"""

from __future__ import annotations

from typing import Any

import pytest

from grants.world import GrantsWorld, build_grants_world
from protocol.conftest import Factory, Sensitive, client, factory, log_guard, sensitive, services, token

__all__ = ["client", "factory", "grants", "jwks", "log_guard", "sensitive", "services", "token"]


@pytest.fixture(scope="session")
def grants(factory: Factory, sensitive: Sensitive) -> GrantsWorld:
    """Tenant `grants.example` (and Fabrikam, for cross-tenant cases) with:

    - APIs: `orders` (v1; Orders.Read, admin-only Orders.Admin; alice holds its user role Orders.Approver),
      `stock` (v2; Stock.Read), and `middle` (a v2 API with access_as_user that is also a confidential
      client holding Orders.Read, for on-behalf-of);
    - clients, each admin-consented to User.Read, Orders.Read, Stock.Read and access_as_user: `web`
      (web redirect URI, secret), `spa` (spa redirect URI), `native` (public client flows, http://localhost);
      `unconsented` (public, nothing consented);
    - users: `alice` (with a mail address) and `stranger` (a Fabrikam user).
    """
    return build_grants_world(factory, sensitive)


@pytest.fixture(scope="session")
def jwks(client: Any) -> dict[str, Any]:
    """Our published signing keys."""
    keys: dict[str, Any] = client.get("/common/discovery/v2.0/keys").json()
    return keys
