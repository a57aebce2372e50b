"""Who may read and change conditional access (issue 12 §4), table-driven: callers × operations.

Rules (Entra's, with one decision of Tenantry's):
- app-only: `Policy.Read.All` reads policies and named locations; `Policy.ReadWrite.ConditionalAccess`
  writes them and — Tenantry's decision, documented in `directory/permissions.py` — reads them too, so it
  is enough alone (Entra's reference lists Policy.Read.All beside it for writes);
- delegated: a scope covering the operation (`Policy.Read.All`, `Policy.ReadWrite.ConditionalAccess`,
  `Directory.AccessAsUser.All`) *and* a role allowing it: Global Administrator, Conditional Access
  Administrator and Security Administrator write; Security Reader and Global Reader read;
- nobody else: not User Administrator, not `Directory.ReadWrite.All`, not a user without a role.
The self-grant paths: an app reading policies cannot grant itself the write permission; a Conditional
Access Administrator cannot make itself Global Administrator, join a role-assignable group or take over a
privileged app (`test_escalation_matrix.py` has their rows), though it may exclude itself from a policy
(Entra allows it: excluding oneself lowers nobody's protection but one's own).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from graph.helpers import DENIED, assert_graph_error
from graph.world import GLOBAL_ADMIN, PASSWORD, GraphWorld, auth
from tenantry.apps.first_party import GRAPH_APP_ID, GRAPH_URI

POLICIES = "/v1.0/identity/conditionalAccess/policies"
LOCATIONS = "/v1.0/identity/conditionalAccess/namedLocations"
CA_ADMIN = "Conditional Access Administrator"
POLICY_READ_ALL = "Policy.Read.All"
POLICY_WRITE = "Policy.ReadWrite.ConditionalAccess"
POLICY_WRITE_ROLE_ID = "01c0a623-fc9b-48e9-b794-0756f8e8f067"
GLOBAL_ADMIN_ROLE_ID = "62e90394-69f5-4237-9190-012177145e10"

# name → ("app", permissions) or ("user", role or None, delegated scopes)
CALLERS: dict[str, tuple[Any, ...]] = {
    "app:Policy.Read.All": ("app", (POLICY_READ_ALL,)),
    "app:Policy.ReadWrite.ConditionalAccess": ("app", (POLICY_WRITE,)),
    "app:Policy.Read.All+ReadWrite": ("app", (POLICY_READ_ALL, POLICY_WRITE)),
    "app:Directory.ReadWrite.All": ("app", ("Directory.ReadWrite.All",)),
    "app:Application.ReadWrite.All": ("app", ("Application.ReadWrite.All",)),
    "app:no permission": ("app", ()),
    "user:Global Administrator": ("user", GLOBAL_ADMIN, ("Directory.AccessAsUser.All",)),
    "user:Conditional Access Administrator": ("user", CA_ADMIN, ("Directory.AccessAsUser.All",)),
    "user:Security Administrator": ("user", "Security Administrator", ("Directory.AccessAsUser.All",)),
    "user:Security Reader": ("user", "Security Reader", ("Directory.AccessAsUser.All",)),
    "user:Global Reader": ("user", "Global Reader", ("Directory.AccessAsUser.All",)),
    "user:User Administrator": ("user", "User Administrator", ("Directory.AccessAsUser.All",)),
    "user:no role": ("user", None, ("Directory.AccessAsUser.All",)),
    "scope ReadWrite:Conditional Access Administrator": ("user", CA_ADMIN, (POLICY_WRITE,)),
    "scope Read.All:Conditional Access Administrator": ("user", CA_ADMIN, (POLICY_READ_ALL,)),
    "scope ReadWrite:Security Reader": ("user", "Security Reader", (POLICY_WRITE,)),
    "scope ReadWrite:no role": ("user", None, (POLICY_WRITE,)),
    "scope User.Read:Global Administrator": ("user", GLOBAL_ADMIN, ("User.Read",)),
}
WRITERS = frozenset(
    {
        "app:Policy.ReadWrite.ConditionalAccess",
        "app:Policy.Read.All+ReadWrite",
        "user:Global Administrator",
        "user:Conditional Access Administrator",
        "user:Security Administrator",
        "scope ReadWrite:Conditional Access Administrator",
    }
)
READERS = WRITERS | {
    "app:Policy.Read.All",
    "user:Security Reader",
    "user:Global Reader",
    "scope Read.All:Conditional Access Administrator",
    "scope ReadWrite:Security Reader",
}


def _policy(name: str = "matrix") -> dict[str, Any]:
    return {
        "displayName": f"{name} {uuid.uuid4().hex[:6]}",
        "state": "disabled",
        "conditions": {"users": {"includeUsers": ["None"]}, "applications": {"includeApplications": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
    }


def _stored_policy(graph: GraphWorld) -> str:
    """A policy of the suite's tenant made by the system (the target of update and delete)."""
    from tenantry.graph.schemas.conditional_access import EMPTY_POLICY, PolicyInput, policy_change

    draft = policy_change(PolicyInput.model_validate(_policy("target")))(EMPTY_POLICY)
    return graph.services.conditional_access.create_policy(graph.tenant.id, draft).id


def read_policies(graph: GraphWorld, client: Any, token: str) -> httpx.Response:
    """List the policies."""
    response: httpx.Response = client.get(POLICIES, headers=auth(token))
    return response


def read_locations(graph: GraphWorld, client: Any, token: str) -> httpx.Response:
    """List the named locations."""
    response: httpx.Response = client.get(LOCATIONS, headers=auth(token))
    return response


def create_policy(graph: GraphWorld, client: Any, token: str) -> httpx.Response:
    """Create a policy."""
    response: httpx.Response = client.post(POLICIES, headers=auth(token), json=_policy())
    return response


def update_policy(graph: GraphWorld, client: Any, token: str) -> httpx.Response:
    """Disable a policy someone else made."""
    url = f"{POLICIES}/{_stored_policy(graph)}"
    response: httpx.Response = client.patch(url, headers=auth(token), json={"state": "disabled"})
    return response


def delete_policy(graph: GraphWorld, client: Any, token: str) -> httpx.Response:
    """Delete a policy someone else made."""
    response: httpx.Response = client.delete(f"{POLICIES}/{_stored_policy(graph)}", headers=auth(token))
    return response


def create_location(graph: GraphWorld, client: Any, token: str) -> httpx.Response:
    """Create an IP named location."""
    body = {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "displayName": f"office {uuid.uuid4().hex[:6]}",
        "ipRanges": [{"cidrAddress": "192.0.2.0/24"}],
    }
    response: httpx.Response = client.post(LOCATIONS, headers=auth(token), json=body)
    return response


OPERATIONS: dict[str, tuple[Callable[[GraphWorld, Any, str], httpx.Response], frozenset[str]]] = {
    "read policies": (read_policies, READERS),
    "read named locations": (read_locations, READERS),
    "create policy": (create_policy, WRITERS),
    "update policy": (update_policy, WRITERS),
    "delete policy": (delete_policy, WRITERS),
    "create named location": (create_location, WRITERS),
}


def delegated_token(graph: GraphWorld, role: str | None, scopes: tuple[str, ...]) -> str:
    """A user holding `role`, signed in to a console consented to exactly `scopes` of Graph."""
    user = graph.new_user("ca-caller", *((role,) if role else ()))
    console = graph.services.apps.create_app(graph.tenant.id, f"console-{uuid.uuid4().hex[:6]}", public_client=True)
    for scope in scopes:
        console = graph.services.apps.add_permission(console, GRAPH_APP_ID, scope, "Scope")
    graph.services.apps.admin_consent(console)
    form = {
        "grant_type": "password",
        "client_id": console.app_id,
        "username": user.user_principal_name,
        "password": PASSWORD,
        "scope": " ".join(f"{GRAPH_URI}/{s}" for s in scopes),
    }
    response = graph.http.post(graph.token_url(), data=form)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    graph.sensitive.add(token)
    return token


@pytest.fixture(scope="module")
def tokens(graph: GraphWorld) -> dict[str, str]:
    """One token per caller."""
    made: dict[str, str] = {}
    for name, (kind, *rest) in CALLERS.items():
        if kind == "app":
            app, secret = graph.daemon(*rest[0])
            made[name] = graph.msal_token(app.app_id, secret)["access_token"]
        else:
            made[name] = delegated_token(graph, rest[0], rest[1])
    return made


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_permission_matrix(graph: GraphWorld, client: Any, tokens: dict[str, str], operation: str, caller: str) -> None:
    """Allowed callers succeed (200/201/204); everyone else gets 403 `Authorization_RequestDenied`."""
    call, allowed = OPERATIONS[operation]
    response = call(graph, client, tokens[caller])
    if caller in allowed:
        assert response.status_code in (200, 201, 204), response.text
    else:
        assert_graph_error(response, 403, DENIED)


def test_denials_name_what_would_allow(graph: GraphWorld, client: Any, tokens: dict[str, str]) -> None:
    """An app reading policies is told the write permission; a user without a role the roles."""
    app = assert_graph_error(create_policy(graph, client, tokens["app:Policy.Read.All"]), 403, DENIED)
    assert POLICY_WRITE in app["message"]
    user = assert_graph_error(create_policy(graph, client, tokens["user:no role"]), 403, DENIED)
    assert CA_ADMIN in user["message"] and "Security Administrator" in user["message"]


def _sp_id(graph: GraphWorld, app_id: str) -> str:
    return next(sp.id for sp in graph.services.apps.list_service_principals(graph.tenant.id) if sp.app_id == app_id)


def test_a_reader_app_cannot_grant_itself_the_write_permission(graph: GraphWorld, client: Any) -> None:
    """`Policy.Read.All` → appRoleAssignedTo for Graph's `Policy.ReadWrite.ConditionalAccess` on its own
    service principal: 403, and its next token still cannot write."""
    app, secret = graph.daemon(POLICY_READ_ALL)
    token = graph.msal_token(app.app_id, secret)["access_token"]
    graph_sp = _sp_id(graph, GRAPH_APP_ID)
    body = {"principalId": _sp_id(graph, app.app_id), "resourceId": graph_sp, "appRoleId": POLICY_WRITE_ROLE_ID}
    url = f"/v1.0/servicePrincipals/{graph_sp}/appRoleAssignedTo"
    assert_graph_error(client.post(url, headers=auth(token), json=body), 403, DENIED)
    again = graph.msal_token(app.app_id, secret)["access_token"]
    assert_graph_error(create_policy(graph, client, again), 403, DENIED)


def test_a_writer_app_cannot_grant_itself_more(graph: GraphWorld, client: Any) -> None:
    """`Policy.ReadWrite.ConditionalAccess` grants no app role of Graph and assigns no directory role."""
    app, secret = graph.daemon(POLICY_WRITE)
    token = graph.msal_token(app.app_id, secret)["access_token"]
    own_sp, graph_sp = _sp_id(graph, app.app_id), _sp_id(graph, GRAPH_APP_ID)
    body = {"principalId": own_sp, "resourceId": graph_sp, "appRoleId": "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"}
    url = f"/v1.0/servicePrincipals/{graph_sp}/appRoleAssignedTo"
    assert_graph_error(client.post(url, headers=auth(token), json=body), 403, DENIED)
    promote = {"principalId": own_sp, "roleDefinitionId": GLOBAL_ADMIN_ROLE_ID, "directoryScopeId": "/"}
    response = client.post("/v1.0/roleManagement/directory/roleAssignments", headers=auth(token), json=promote)
    assert_graph_error(response, 403, DENIED)


def test_a_ca_admin_may_exclude_itself_but_not_promote_itself(graph: GraphWorld, client: Any) -> None:
    """A Conditional Access Administrator may exclude itself from a policy (Entra allows it), and is refused
    Global Administrator for itself."""
    admin = graph.new_user("ca-self", CA_ADMIN)
    token = graph.user_token(admin, "Directory.AccessAsUser.All")
    body = _policy("all but me")
    body["conditions"]["users"] = {"includeUsers": ["All"], "excludeUsers": [admin.id]}
    created = client.post(POLICIES, headers=auth(token), json=body)
    assert created.status_code == 201, created.text
    assert created.json()["conditions"]["users"]["excludeUsers"] == [admin.id]
    promote = {"principalId": admin.id, "roleDefinitionId": GLOBAL_ADMIN_ROLE_ID, "directoryScopeId": "/"}
    response = client.post("/v1.0/roleManagement/directory/roleAssignments", headers=auth(token), json=promote)
    assert_graph_error(response, 403, DENIED)
