"""Transparent mode in-process: the app built with the public URL `https://login.microsoftonline.com`
publishes Entra's issuer and instance-discovery entry, and routes by Host header (ARM at
management.azure.com's root, only Graph at graph.microsoft.com). The live, namespaced run with unmodified
clients is `tests/compat/test_transparent.py`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tenantry.app import Services, build_services, create_app
from tenantry.common.transparent import ENTRA_AUTHORITY
from tenantry.config import Settings
from tenantry.directory.models import Tenant

from .conftest import TestClient


@pytest.fixture(scope="module")
def transparent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Tenant]]:
    """A client of a transparent app and a tenant in it."""
    home: Path = tmp_path_factory.mktemp("tenantry-transparent")
    services: Services = build_services(Settings(home=home, public_url=ENTRA_AUTHORITY))
    tenant = services.directory.create_tenant("Transparent", ["transparent.example"])
    with TestClient(create_app(services, public_url=ENTRA_AUTHORITY), base_url=ENTRA_AUTHORITY) as client:
        yield client, tenant
    services.store.dispose()


def test_discovery_names_entra(transparent: tuple[TestClient, Tenant]) -> None:
    """The issuer is Entra's exactly, and Graph's host is graph.microsoft.com."""
    client, tenant = transparent
    config = client.get(f"/{tenant.id}/v2.0/.well-known/openid-configuration").json()
    assert config["issuer"] == f"https://login.microsoftonline.com/{tenant.id}/v2.0"
    assert config["token_endpoint"] == f"https://login.microsoftonline.com/{tenant.id}/oauth2/v2.0/token"
    assert config["msgraph_host"] == "graph.microsoft.com"


def test_instance_discovery_answers_as_entra(transparent: tuple[TestClient, Tenant]) -> None:
    """MSAL's hidden alias lookup gets the public cloud's entry."""
    client, _ = transparent
    endpoint = "https://login.microsoftonline.com/common/oauth2/authorize"
    answer = client.get("/common/discovery/instance", params={"api-version": "1.1", "authorization_endpoint": endpoint})
    assert answer.status_code == 200
    body = answer.json()
    expected = "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
    assert body["tenant_discovery_endpoint"] == expected
    assert body["metadata"][0]["preferred_network"] == "login.microsoftonline.com"
    assert "login.windows.net" in body["metadata"][0]["aliases"]


def test_arm_answers_at_management_azure_com(transparent: tuple[TestClient, Tenant]) -> None:
    """ARM's routes at the host's root, in ARM's envelope, and its cloud document names Entra's hosts."""
    client, _ = transparent
    denied = client.get("https://management.azure.com/subscriptions?api-version=2022-12-01")
    assert denied.status_code == 401
    assert "error" in denied.json() and "code" in denied.json()["error"]
    cloud = client.get("https://management.azure.com/metadata/endpoints?api-version=2022-09-01").json()
    assert cloud["resourceManager"] == "https://management.azure.com/"
    assert cloud["microsoftGraphResourceId"] == "https://graph.microsoft.com/"


def test_graph_host_serves_only_graph(transparent: tuple[TestClient, Tenant]) -> None:
    """`graph.microsoft.com/v1.0` is Graph (its 401 envelope); the STS is not served there."""
    client, tenant = transparent
    denied = client.get("https://graph.microsoft.com/v1.0/users")
    assert denied.status_code == 401
    assert denied.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert (
        client.get(f"https://graph.microsoft.com/{tenant.id}/v2.0/.well-known/openid-configuration").status_code == 404
    )
