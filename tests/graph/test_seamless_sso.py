"""`/v1.0/directory/seamlessSingleSignOn/realms` (Tenantry extension, issue 14 §1): the realms `tenantry sso
enable` imported, with key versions and ages but never keys, for the roles that manage Entra Connect's
settings (Global Administrator, Hybrid Identity Administrator) and Global Reader; others get 403."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from graph.helpers import DENIED, NOT_FOUND, assert_graph_error
from graph.world import GraphWorld, auth
from tenantry.audit.models import Actor
from tenantry.audit.recorder import AuditContext
from tenantry.sso.keytab import KeytabEntry, write_keytab

SCOPE = "Directory.AccessAsUser.All"
PATH = "/v1.0/directory/seamlessSingleSignOn/realms"


@pytest.fixture(scope="module")
def realm_key(graph: GraphWorld) -> bytes:
    """The suite tenant's realm CORP.EXAMPLE at kvno 4; its key."""
    key = secrets.token_bytes(32)
    keytab = write_keytab([KeytabEntry("CORP.EXAMPLE", "HTTP/login.example", 4, 18, key)])
    ctx = AuditContext(Actor("system", "tests", "tests"), graph.services.clock.now())
    graph.services.seamless_sso.enable(graph.tenant.id, "CORP.EXAMPLE", keytab, ctx)
    return key


@pytest.mark.parametrize("role", ["Global Administrator", "Hybrid Identity Administrator", "Global Reader"])
def test_roles_that_read_the_realms(graph: GraphWorld, client: Any, realm_key: bytes, role: str) -> None:
    """The list and one realm; no key material in the answer."""
    headers = auth(graph.user_token(graph.new_user("hybrid", role), SCOPE))
    listed = client.get(PATH, headers=headers)
    assert listed.status_code == 200, listed.text
    (realm,) = [r for r in listed.json()["value"] if r["id"] == "CORP.EXAMPLE"]
    assert realm["servicePrincipalNames"] == ["HTTP/login.example@CORP.EXAMPLE"] and realm["keyVersions"] == [4]
    assert realm["encryptionTypes"] == [18] and realm["isKeyRolloverDue"] is False
    assert realm_key.hex() not in listed.text and "key" not in {k.lower() for k in realm}
    one = client.get(f"{PATH}/CORP.EXAMPLE", headers=headers)
    assert one.status_code == 200 and one.json()["keyAgeInDays"] == 0
    assert_graph_error(client.get(f"{PATH}/OTHER.EXAMPLE", headers=headers), 404, NOT_FOUND)


def test_others_are_refused_and_other_tenants_see_nothing(graph: GraphWorld, client: Any, realm_key: bytes) -> None:
    """A member without a role, or an administrator of apps only: 403. The realm is the suite tenant's only."""
    for roles in ((), ("Application Administrator",)):
        headers = auth(graph.user_token(graph.new_user("member", *roles), SCOPE))
        assert_graph_error(client.get(PATH, headers=headers), 403, DENIED)
    assert graph.services.seamless_sso.status(graph.other_tenant.id) == []
