"""`/v1.0/domains` (entra-reference §5.2): the tenant's verified domains in Graph's `domain` shape, and
`PATCH` of `passwordValidityPeriodInDays` (2147483647: never), which is the tenant's password policy.

Reads: any member (delegated, with a scope covering them) and `Domain.Read.All` / `Directory.Read.All`;
the change: `Domain.ReadWrite.All`, Global Administrator, Domain Name Administrator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph.helpers import BAD_REQUEST, DENIED, NOT_FOUND, assert_graph_error
from graph.world import DOMAIN, GLOBAL_ADMIN, OTHER_DOMAIN, GraphWorld, auth

NEVER = 2147483647
DOMAIN_NAME_ADMIN = "Domain Name Administrator"


@pytest.fixture
def restore_policy(graph: GraphWorld) -> Iterator[None]:
    """Leave the suite's tenant as it was: passwords never expire, no custom terms."""
    yield
    graph.services.password_policies.set_policy(graph.tenant.id, never_expire=True)


def _patch(client: Any, token: str, body: dict[str, Any], domain: str = DOMAIN) -> Any:
    return client.patch(f"/v1.0/domains/{domain}", headers=auth(token), json=body)


def test_list_and_get_in_graphs_shape(graph: GraphWorld, client: Any) -> None:
    """One domain, Managed, initial and default, never-expiring passwords by default, a 14-day window."""
    token = graph.app_token("Directory.Read.All")
    listed = client.get("/v1.0/domains", headers=auth(token))
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["@odata.context"].endswith("$metadata#domains")
    expected = {
        "id": DOMAIN,
        "authenticationType": "Managed",
        "isAdminManaged": True,
        "isDefault": True,
        "isInitial": True,
        "isRoot": True,
        "isVerified": True,
        "passwordValidityPeriodInDays": NEVER,
        "passwordNotificationWindowInDays": 14,
        "supportedServices": [],
    }
    assert body["value"] == [expected]
    one = client.get(f"/v1.0/domains/{DOMAIN.upper()}", headers=auth(token))
    assert one.status_code == 200, one.text
    assert {k: v for k, v in one.json().items() if not k.startswith("@odata")} == expected
    selected = client.get(f"/v1.0/domains/{DOMAIN}?$select=id,passwordValidityPeriodInDays", headers=auth(token))
    assert {k: v for k, v in selected.json().items() if not k.startswith("@odata")} == {
        "id": DOMAIN,
        "passwordValidityPeriodInDays": NEVER,
    }


@pytest.mark.parametrize("domain", [OTHER_DOMAIN, "nowhere.example"])
def test_other_tenants_and_unknown_domains_are_404(graph: GraphWorld, client: Any, domain: str) -> None:
    """Another tenant's domain is as unknown as one nobody has, for reads and for PATCH."""
    reader = graph.app_token("Domain.Read.All")
    assert_graph_error(client.get(f"/v1.0/domains/{domain}", headers=auth(reader)), 404, NOT_FOUND)
    writer = graph.app_token("Domain.ReadWrite.All")
    assert_graph_error(_patch(client, writer, {"passwordValidityPeriodInDays": 90}, domain), 404, NOT_FOUND)


def test_patch_sets_the_tenant_policy_and_audits(graph: GraphWorld, client: Any, restore_policy: None) -> None:
    """`Domain.ReadWrite.All` sets 90 days (204): the domain shows it, the tenant's policy has it, the audit
    log names the app; 2147483647 turns expiry off again."""
    token = graph.app_token("Domain.ReadWrite.All")
    response = _patch(client, token, {"passwordValidityPeriodInDays": 90})
    assert response.status_code == 204, response.text
    shown = client.get(f"/v1.0/domains/{DOMAIN}", headers=auth(token)).json()
    assert shown["passwordValidityPeriodInDays"] == 90
    assert graph.services.password_policies.policy_for(graph.tenant.id).validity_days == 90
    record = graph.services.audit.list_records(graph.tenant.id)[0]
    assert record.activity == "Set password policy"
    assert record.actor.kind == "app"
    assert record.targets[0].modified == (("passwordValidityPeriodInDays", "", "90"),)
    assert _patch(client, token, {"passwordValidityPeriodInDays": NEVER}).status_code == 204
    assert graph.services.password_policies.policy_for(graph.tenant.id).validity_days is None
    assert _patch(client, token, {}).status_code == 204  # nothing to change


@pytest.mark.parametrize(
    "body",
    [
        {"passwordValidityPeriodInDays": 0},
        {"passwordValidityPeriodInDays": 731},
        {"passwordValidityPeriodInDays": -1},
        {"passwordValidityPeriodInDays": "ninety"},
        {"passwordNotificationWindowInDays": 30},
        {"isDefault": False},
    ],
)
def test_bad_patches_are_400(graph: GraphWorld, client: Any, body: dict[str, Any], restore_policy: None) -> None:
    """Out-of-range or mistyped days, another notification window, an unsupported property: 400, no change."""
    token = graph.app_token("Domain.ReadWrite.All")
    assert_graph_error(_patch(client, token, body), 400, BAD_REQUEST)
    assert graph.services.password_policies.policy_for(graph.tenant.id).validity_days is None


def test_delegated_reads_for_members_and_changes_for_admins(
    graph: GraphWorld, client: Any, restore_policy: None
) -> None:
    """A member without a role reads the domains but may not change them (403 naming the roles); a Global
    Administrator and a Domain Name Administrator may."""
    member = graph.user_token(graph.new_user("domain-reader"), "Directory.AccessAsUser.All")
    assert client.get("/v1.0/domains", headers=auth(member)).status_code == 200
    denied = assert_graph_error(_patch(client, member, {"passwordValidityPeriodInDays": 30}), 403, DENIED)
    assert GLOBAL_ADMIN in denied["message"]
    assert DOMAIN_NAME_ADMIN in denied["message"]
    for role, days in ((GLOBAL_ADMIN, 60), (DOMAIN_NAME_ADMIN, 45)):
        admin = graph.user_token(graph.new_user("domain-admin", role), "Directory.AccessAsUser.All")
        assert _patch(client, admin, {"passwordValidityPeriodInDays": days}).status_code == 204
        assert graph.services.password_policies.policy_for(graph.tenant.id).validity_days == days


def test_apps_without_a_domain_permission_are_refused(graph: GraphWorld, client: Any) -> None:
    """`Application.ReadWrite.All` covers neither reading nor changing domains; `Domain.Read.All` only reads."""
    apps = graph.app_token("Application.ReadWrite.All")
    message = assert_graph_error(client.get("/v1.0/domains", headers=auth(apps)), 403, DENIED)["message"]
    assert "Domain.Read.All" in message
    reader = graph.app_token("Domain.Read.All")
    denied = assert_graph_error(_patch(client, reader, {"passwordValidityPeriodInDays": 30}), 403, DENIED)
    assert "Domain.ReadWrite.All" in denied["message"]
