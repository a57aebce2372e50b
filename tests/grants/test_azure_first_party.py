"""The Azure tools' first-party apps (issue 13 items 1–2): the Azure CLI and PowerShell sign users in with no
consent anywhere, for Azure Resource Manager and for Microsoft Graph, including Graph named by the server's
public URL (az's one setting for Graph's URL and its tokens' resource); a tenant app gets no such favour.
"""

from __future__ import annotations

from typing import Any

import pytest

from grants.helpers import issued, verified
from grants.world import PASSWORD, GrantsWorld
from protocol.conftest import BASE_URL, TokenPoster, assert_entra_error
from tenantry.apps.first_party import (
    ARM_APP_ID,
    AZURE_CLI_APP_ID,
    AZURE_POWERSHELL_APP_ID,
    GRAPH_APP_ID,
    ensure_first_party,
)

ARM_DEFAULT = "https://management.core.windows.net//.default"
AZ_SCOPES = "offline_access openid profile"


def ropc(token: TokenPoster, world: GrantsWorld, client_id: str, scope: str, segment: str | None = None) -> Any:
    """`az login -u/-p`: the password grant of a public client, as MSAL sends it."""
    form = {
        "grant_type": "password",
        "client_id": client_id,
        "client_info": "1",
        "username": world.alice.user_principal_name,
        "password": PASSWORD,
        "scope": f"{scope} {AZ_SCOPES}",
    }
    return token(world.token_path(segment), form)


@pytest.mark.parametrize("client_id", [AZURE_CLI_APP_ID, AZURE_POWERSHELL_APP_ID])
def test_azure_tools_get_arm_tokens_without_consent(
    grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any], client_id: str
) -> None:
    """Nobody consented for the Azure CLI or PowerShell in this tenant: they are pre-authorised for ARM's
    `user_impersonation`; the v1 token names ARM as the client asked (`aud` echoes the resource)."""
    body = issued(ropc(token, grants, client_id, ARM_DEFAULT, "organizations"), grants)
    access = verified(body["access_token"], jwks)
    assert (access["aud"], access["appid"], access["scp"]) == (
        "https://management.core.windows.net/",
        client_id,
        "user_impersonation",
    )
    assert access["tid"] == grants.tenant.id and access["oid"] == grants.alice.id


@pytest.mark.parametrize("resource", [BASE_URL, f"{BASE_URL}/", GRAPH_APP_ID, "https://graph.microsoft.com/"])
def test_graph_by_any_of_its_names(
    grants: GrantsWorld, token: TokenPoster, jwks: dict[str, Any], resource: str
) -> None:
    """The public URL, with or without its slash, names Microsoft Graph like its appId and its URI; the
    Azure CLI's Graph token carries the directory scopes it is pre-authorised for, and Graph accepts it."""
    scope = f"{resource}/.default"
    body = issued(ropc(token, grants, AZURE_CLI_APP_ID, scope), grants)
    access = verified(body["access_token"], jwks)
    assert {"Directory.AccessAsUser.All", "Application.ReadWrite.All", "User.Read"} <= set(access["scp"].split())
    organization = token.client.get("/v1.0/organization", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert organization.status_code == 200, organization.text
    assert organization.json()["value"][0]["id"] == grants.tenant.id


def test_a_tenant_app_is_not_pre_authorised(grants: GrantsWorld, token: TokenPoster) -> None:
    """A tenant's own public client asking for ARM's `user_impersonation` has nobody's consent: 65001, as
    before (only first-party clients on first-party resources are pre-authorised)."""
    scope = "https://management.core.windows.net//user_impersonation"
    response = ropc(token, grants, grants.unconsented.client_id, scope)
    assert_entra_error(response, 65001, 400, "consent_required")


def test_arm_tokens_are_not_graph_tokens(grants: GrantsWorld, token: TokenPoster) -> None:
    """An ARM token (same server, same user) is refused by Graph: its audience is not Graph's."""
    body = issued(ropc(token, grants, AZURE_CLI_APP_ID, ARM_DEFAULT), grants)
    response = token.client.get("/v1.0/organization", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert response.status_code == 401
    assert "audience" in response.json()["error"]["message"]


def test_first_party_apps_in_every_tenant(grants: GrantsWorld) -> None:
    """Every tenant, old or new, has service principals for the Azure apps; running the provisioning again
    (each start does) changes nothing."""
    services = grants.services
    with services.store.transaction(write=True) as unit:
        ensure_first_party(unit, grants.alice.created_at)
    for tenant in (grants.tenant, grants.other_tenant):
        held = {sp.app_id for sp in services.apps.list_service_principals(tenant.id)}
        assert {GRAPH_APP_ID, ARM_APP_ID, AZURE_CLI_APP_ID, AZURE_POWERSHELL_APP_ID} <= held
    cli = services.apps.find_app(AZURE_CLI_APP_ID)
    assert cli is not None and cli.is_public_client and "http://localhost" in cli.public_client_redirect_uris
