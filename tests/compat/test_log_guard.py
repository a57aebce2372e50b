"""Style P3: the server never logs client secrets, assertions or tokens.

The session fixture `live_server` makes the final check over the whole run; these tests prove the guard
itself works and that it reads real request logs, so a clean result means something.
"""

from __future__ import annotations

import time

import pytest

from support.live_server import LogGuard
from support.world import CompatEnv

pytestmark = pytest.mark.compat


def test_guard_reports_labels_never_values() -> None:
    """A planted value is found and reported by its label, so a failure report does not repeat the secret."""
    guard = LogGuard()
    guard.watch("client secret A", "s3cr3t-value-A")
    guard.watch("token B", "eyJ.token.B")
    guard.watch("empty", "")
    assert len(guard) == 2
    assert guard.leaks("… GET /x?client_secret=s3cr3t-value-A …") == ["client secret A"]
    assert guard.leaks("nothing here") == []


def test_server_output_so_far_has_requests_but_no_secrets(env: CompatEnv) -> None:
    """After a token request the access log records it, and no watched secret or token appears anywhere."""
    token = env.token_of(
        env.msal_app(env.client.client_id, env.client.secret_text).acquire_token_for_client([env.v1.scope])
    )
    line = f'"POST /{env.tenant.id}/oauth2/v2.0/token HTTP/1.1" 200'
    deadline = time.monotonic() + 5
    while line not in env.server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    output = env.server.output()
    assert line in output
    assert len(env.server.guard) >= 2
    assert env.server.guard.leaks(output) == []
    assert token not in output and env.client.secret_text not in output
