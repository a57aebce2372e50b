"""Client-secret rotation and expiry as MSAL sees them (entra-reference §4.3; 7000215 vs 7000222).

Several secrets may be valid at once, so rotation needs no downtime; a deleted secret stops working at
once, and an expired one is reported as expired rather than wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from support.world import ClientApp, CompatEnv

pytestmark = pytest.mark.compat


def _acquire(env: CompatEnv, client: ClientApp, secret: str) -> dict[str, Any]:
    """A token request from a fresh MSAL instance, so that no cached token answers it."""
    result: dict[str, Any] = env.msal_app(client.client_id, secret).acquire_token_for_client([env.v2.scope])
    return result


def _assert_refused(result: dict[str, Any], code: int) -> None:
    assert "access_token" not in result, "the request should have been refused"
    assert (result["error"], result["error_codes"]) == ("invalid_client", [code])
    assert result["error_description"].startswith(f"AADSTS{code}:")


def test_rotation_overlaps_then_old_secret_is_7000215(env: CompatEnv) -> None:
    """Add a second secret: both work at once; delete the first: it now gets 7000215 and the second still works."""
    client = env.new_client("Rotating daemon", grants=(env.v2,))
    old = client.secret
    assert old is not None
    env.token_of(_acquire(env, client, old.secret_text))
    new = env.add_secret(client.app)
    env.token_of(_acquire(env, client, old.secret_text))
    env.check_app_token(env.token_of(_acquire(env, client, new.secret_text)), client=client, resource=env.v2, acr="1")
    assert env.services.credentials.delete_credential(client.app, old.credential.key_id)
    _assert_refused(_acquire(env, client, old.secret_text), 7000215)
    env.token_of(_acquire(env, client, new.secret_text))


def test_only_secret_expired_is_7000222(env: CompatEnv) -> None:
    """A client whose only secret has expired gets 7000222 (expired keys), not 7000215."""
    client = env.new_client("Expired daemon", with_secret=False)
    expired = env.add_secret(client.app, end=datetime.now(UTC) - timedelta(days=1))
    _assert_refused(_acquire(env, client, expired.secret_text), 7000222)


def test_matched_expired_secret_is_7000222_while_a_valid_one_works(env: CompatEnv) -> None:
    """With one valid and one expired secret, presenting the expired one is 7000222; the valid one still works."""
    client = env.new_client("Half-expired daemon")
    expired = env.add_secret(client.app, end=datetime.now(UTC) - timedelta(hours=1))
    _assert_refused(_acquire(env, client, expired.secret_text), 7000222)
    env.token_of(_acquire(env, client, client.secret_text))
