"""The whole who-may-reset table (entra-reference §5.6) through Graph: for every actor role of the table (and
roles that reset nobody) × every built-in target role, a user holding the actor role, with a delegated token
from MSAL's password grant, calls `resetPassword` on a user holding the target role: 202 where the table
allows it, 403 `Authorization_RequestDenied` naming the roles that would be allowed otherwise.

The expectations come from the table as written in `tests/unit/directory/test_password_reset.py` (read down
its columns), not from the implementation."""

from __future__ import annotations

from typing import Any

import pytest

from graph.helpers import assert_graph_error
from graph.world import GraphWorld, auth
from tenantry.directory.models import User
from tenantry.directory.roles import BUILT_IN_ROLES
from unit.directory.test_password_reset import EVERYONE, NO_ROLE, REACHES

PASSWORD_METHOD = "28c10230-6103-485e-b985-444c60001490"
NEW_PASSWORD = "Reset-Matrix-Passw0rd!"
ACTORS = [*REACHES, "Global Reader", "Application Administrator", None]
TARGETS = [NO_ROLE, *(role.display_name for role in BUILT_IN_ROLES)]


def _allowed(actor: str | None, target: str) -> bool:
    if actor is None or actor not in REACHES:
        return False
    reach = REACHES[actor]
    return EVERYONE in reach or target in reach


@pytest.fixture(scope="module")
def targets(graph: GraphWorld) -> dict[str, User]:
    """One user per target role (and one with none)."""
    made = {}
    for name in TARGETS:
        roles = () if name == NO_ROLE else (name,)
        made[name] = graph.new_user("target", *roles)
    return made


@pytest.fixture(scope="module")
def actor_tokens(graph: GraphWorld) -> dict[str | None, str]:
    """A delegated Graph token (Directory.AccessAsUser.All) of a user holding each actor role."""
    return {
        actor: graph.user_token(graph.new_user("actor", *((actor,) if actor else ())), "Directory.AccessAsUser.All")
        for actor in ACTORS
    }


@pytest.mark.parametrize("actor", ACTORS, ids=[a or "no role" for a in ACTORS])
def test_reset_matrix_through_graph(
    graph: GraphWorld, client: Any, targets: dict[str, User], actor_tokens: dict[str | None, str], actor: str | None
) -> None:
    """Every target role for one actor role: allowed → 202, refused → 403 naming who may."""
    graph.sensitive.add(NEW_PASSWORD)
    wrong: list[str] = []
    for target_name, target in targets.items():
        url = f"/v1.0/users/{target.id}/authentication/methods/{PASSWORD_METHOD}/resetPassword"
        response = client.post(url, headers=auth(actor_tokens[actor]), json={"newPassword": NEW_PASSWORD})
        if _allowed(actor, target_name):
            if response.status_code != 202:
                wrong.append(f"{target_name}: expected 202, got {response.status_code}")
        elif response.status_code != 403:
            wrong.append(f"{target_name}: expected 403, got {response.status_code}")
        else:
            message = assert_graph_error(response, 403, "Authorization_RequestDenied")["message"]
            assert "Global Administrator" in message, message
    assert not wrong, wrong


APP_PERMISSIONS = {
    # Graph application permissions that reach users with no admin role only (an app's own directory role
    # follows the table, like a user's).
    "User-PasswordProfile.ReadWrite.All": True,
    "UserAuthenticationMethod.ReadWrite.All": True,
    "User.Read.All": False,
}


@pytest.mark.parametrize("permission", APP_PERMISSIONS)
def test_reset_matrix_for_app_only_callers(
    graph: GraphWorld, client: Any, targets: dict[str, User], permission: str
) -> None:
    """An app-only token (MSAL client credentials) resets users without an admin role when its permission
    allows resets at all, and never an administrator."""
    token = graph.app_token(permission)
    graph.sensitive.add(NEW_PASSWORD)
    for target_name in (NO_ROLE, "Directory Readers", "Helpdesk Administrator", "Global Administrator"):
        url = f"/v1.0/users/{targets[target_name].id}/authentication/methods/{PASSWORD_METHOD}/resetPassword"
        response = client.post(url, headers=auth(token), json={"newPassword": NEW_PASSWORD})
        allowed = APP_PERMISSIONS[permission] and target_name == NO_ROLE
        assert response.status_code == (202 if allowed else 403), (target_name, response.text)
