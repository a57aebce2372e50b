"""Graph `users/{id}/authentication/emailMethods` (issue 12 §2, 7): the address SSPR mails its code to.
Create (one per user), list, read, update and delete under the password-reset table; `methods` lists it with
its `@odata.type`; security questions are never listed. A user cannot put an address on someone else's
account (nor, without reset rights, on their own) to reset that password; `test_escalation_matrix.py` has
the row for a Global Administrator's account.
"""

from __future__ import annotations

from typing import Any

from graph.helpers import BAD_REQUEST, DENIED, NOT_FOUND, assert_graph_error
from graph.world import GraphWorld, auth
from tenantry.audit.recorder import SYSTEM, AuditContext

AUTH_ADMIN = "Authentication Administrator"
SCOPE = "Directory.AccessAsUser.All"


def _headers(graph: GraphWorld, *roles: str) -> dict[str, str]:
    return auth(graph.user_token(graph.new_user("caller", *roles), SCOPE))


def test_create_list_update_delete(graph: GraphWorld, client: Any) -> None:
    """201 then 400 for a second one; list, read, PATCH, `methods` shows it; DELETE 204, then 404; audited."""
    target = graph.new_user("mailer")
    admin = _headers(graph, AUTH_ADMIN)
    url = f"/v1.0/users/{target.id}/authentication/emailMethods"
    created = client.post(url, headers=admin, json={"emailAddress": "private@mail.example"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["@odata.type"] == "#microsoft.graph.emailAuthenticationMethod"
    assert body["emailAddress"] == "private@mail.example"
    second = client.post(url, headers=admin, json={"emailAddress": "other@mail.example"})
    assert_graph_error(second, 400, BAD_REQUEST)
    assert_graph_error(client.post(url, headers=admin, json={"emailAddress": "not an address"}), 400, BAD_REQUEST)
    listed = client.get(url, headers=admin).json()["value"]
    assert [m["emailAddress"] for m in listed] == ["private@mail.example"]
    patched = client.patch(f"{url}/{body['id']}", headers=admin, json={"emailAddress": "new@mail.example"})
    assert patched.status_code == 200 and patched.json()["emailAddress"] == "new@mail.example"
    assert client.get(f"{url}/{body['id']}", headers=admin).json()["emailAddress"] == "new@mail.example"
    ctx = AuditContext(SYSTEM, graph.services.clock.now())
    qa = [("Question one?", "answer one"), ("Question two?", "answer two"), ("Question three?", "answer three")]
    graph.services.security_info.set_questions(target, qa, ctx)
    methods = client.get(f"/v1.0/users/{target.id}/authentication/methods", headers=admin).json()["value"]
    assert [m["@odata.type"] for m in methods] == [
        "#microsoft.graph.passwordAuthenticationMethod",
        "#microsoft.graph.emailAuthenticationMethod",
    ]
    assert "answer" not in str(methods) and "Question" not in str(methods)
    assert client.delete(f"{url}/{body['id']}", headers=admin).status_code == 204
    assert_graph_error(client.get(f"{url}/{body['id']}", headers=admin), 404, NOT_FOUND)
    activities = {
        r.activity for r in graph.services.audit.list_records(target.tenant_id) if r.targets[0].id == target.id
    }
    assert {"Admin registered security info", "Admin deleted security info"} <= activities


def test_nobody_without_reset_rights_registers_an_address(graph: GraphWorld, client: Any) -> None:
    """A user without a role: not on another user, not on themselves (the security info page proves the
    address instead); a Groups Administrator neither; an Authentication Administrator not on a Global
    Administrator; an app with `UserAuthenticationMethod.ReadWrite.All` on a user without a role."""
    plain = graph.new_user("plain")
    chief = graph.new_user("chief", "Global Administrator")
    body = {"emailAddress": "attacker@mail.example"}
    self_user = graph.new_user("self")
    self_headers = auth(graph.user_token(self_user, SCOPE))
    for caller, target in (
        (_headers(graph), plain),
        (self_headers, self_user),
        (_headers(graph, "Groups Administrator"), plain),
        (_headers(graph, AUTH_ADMIN), chief),
        (_headers(graph, "User Administrator"), chief),
    ):
        url = f"/v1.0/users/{target.id}/authentication/emailMethods"
        assert_graph_error(client.post(url, headers=caller, json=body), 403, DENIED)
    assert graph.services.security_info.email_methods(plain) == []
    app = auth(graph.app_token("UserAuthenticationMethod.ReadWrite.All"))
    created = client.post(f"/v1.0/users/{plain.id}/authentication/emailMethods", headers=app, json=body)
    assert created.status_code == 201
    assert_graph_error(
        client.post(f"/v1.0/users/{chief.id}/authentication/emailMethods", headers=app, json=body), 403, DENIED
    )
    mine = client.get(f"/v1.0/users/{self_user.id}/authentication/emailMethods", headers=self_headers)
    assert mine.status_code == 200 and mine.json()["value"] == []


SELF_ALLOWED = {"Global Administrator", "Privileged Authentication Administrator", "User Administrator"}
SELF_ALLOWED |= {AUTH_ADMIN, "Helpdesk Administrator"}


def test_who_may_register_an_address_on_their_own_account(graph: GraphWorld, client: Any) -> None:
    """Through Graph only the roles whose row of the reset table (§5.6) has their own column; everyone else
    (no role, other admin roles, readers) proves an address on the security info page instead."""
    roles = [*sorted(SELF_ALLOWED), "Groups Administrator", "Global Reader"]
    roles += ["Privileged Role Administrator", "Application Administrator", "Security Administrator", ""]
    for role in roles:
        user = graph.new_user("self", *((role,) if role else ()))
        caller = auth(graph.user_token(user, SCOPE))
        url = f"/v1.0/users/{user.id}/authentication/emailMethods"
        answer = client.post(url, headers=caller, json={"emailAddress": "self@mail.example"})
        if role in SELF_ALLOWED:
            assert answer.status_code == 201, (role, answer.text)
        else:
            assert_graph_error(answer, 403, DENIED)
