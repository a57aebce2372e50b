"""OData basics on Graph collections: `$filter` (eq, startswith, and, or), `$select`, `$top` with
`@odata.nextLink` paging that visits every item once, `$count` with `@odata.count`, `$orderby`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from graph.world import GraphWorld, auth
from tenantry.apps.models import Application
from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant

NAMES = ("Payroll API", "Payroll daemon", "Portal", "Reports", "Reports nightly", "Search", "Billing")


@dataclass(frozen=True)
class Catalog:
    """A tenant of its own with a known set of apps, and a token that reads them all."""

    tenant: Tenant
    apps: dict[str, Application]
    token: str


@pytest.fixture(scope="module")
def catalog(graph: GraphWorld) -> Catalog:
    """Seven apps named `NAMES` in a fresh tenant."""
    tenant = graph.services.directory.create_tenant("OData", [f"odata-{new_guid()[:8]}.example"])
    token = graph.app_token("Application.Read.All", tenant=tenant)
    apps = {name: graph.services.apps.create_app(tenant.id, name) for name in NAMES}
    return Catalog(tenant, apps, token)


def names(client: Any, catalog: Catalog, query: str) -> list[str]:
    """Display names of the apps a query returns (daemon apps of the suite left out)."""
    response = client.get(f"/v1.0/applications?{query}", headers=auth(catalog.token))
    assert response.status_code == 200, response.text
    return [a["displayName"] for a in response.json()["value"] if a["displayName"] in NAMES]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("$filter=displayName eq 'portal'", ["Portal"]),
        ("$filter=startswith(displayName, 'Payroll')", ["Payroll API", "Payroll daemon"]),
        ("$filter=startswith(displayName, 'Rep') and displayName ne 'Reports'", ["Reports nightly"]),
        ("$filter=displayName eq 'Search' or displayName eq 'Billing'", ["Search", "Billing"]),
        ("$filter=displayName in ('Portal', 'Search')", ["Portal", "Search"]),
        (
            "$filter=not startswith(displayName, 'P') and tenantryStatus eq 'no credentials'&$orderby=displayName desc",
            ["Search", "Reports nightly", "Reports", "Billing"],
        ),
    ],
)
def test_filter(client: Any, catalog: Catalog, query: str, expected: list[str]) -> None:
    """eq is case-insensitive; startswith, and, or, in, not and $orderby combine as OData says."""
    assert names(client, catalog, query) == expected


def test_filter_by_app_id(client: Any, catalog: Catalog) -> None:
    """GUID properties compare with quoted GUIDs, as on Graph."""
    app = catalog.apps["Search"]
    assert names(client, catalog, f"$filter=appId eq '{app.app_id}'") == ["Search"]


def test_select_returns_only_those_properties(client: Any, catalog: Catalog) -> None:
    """`$select` keeps `id` and the named properties, and says so in `@odata.context`."""
    body = client.get("/v1.0/applications?$select=displayName,appId", headers=auth(catalog.token)).json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#applications(displayName,appId)")
    assert all(set(item) == {"id", "displayName", "appId"} for item in body["value"])


def test_top_and_next_link_visit_every_app_once(client: Any, catalog: Catalog) -> None:
    """Following `@odata.nextLink` with `$top=3` pages through everything, each app once, with `$count`."""
    url = "/v1.0/applications?$top=3&$count=true&$select=displayName"
    seen: list[str] = []
    pages = 0
    while url:
        body = client.get(url, headers=auth(catalog.token)).json()
        assert len(body["value"]) <= 3
        assert body["@odata.count"] >= len(NAMES)
        seen += [a["displayName"] for a in body["value"]]
        link = body.get("@odata.nextLink")
        pages += 1
        url = "" if link is None else urlsplit(link).path + "?" + urlsplit(link).query
        assert link is None or link.startswith("https://localhost:8443/v1.0/applications?")
    assert pages >= 3
    assert len(seen) == len(set(seen)) == body["@odata.count"]
    assert set(NAMES) <= set(seen)


def test_count_is_absent_unless_asked(client: Any, catalog: Catalog) -> None:
    """`@odata.count` appears only with `$count=true`."""
    body = client.get("/v1.0/applications", headers=auth(catalog.token)).json()
    assert "@odata.count" not in body and "@odata.nextLink" not in body


def test_single_entity_select_and_context(client: Any, catalog: Catalog) -> None:
    """`GET /applications/{id}?$select=…` shapes one entity; its context ends in `/$entity`."""
    app = catalog.apps["Portal"]
    body = client.get(f"/v1.0/applications/{app.id}?$select=displayName", headers=auth(catalog.token)).json()
    assert body == {
        "@odata.context": "https://localhost:8443/v1.0/$metadata#applications(displayName)/$entity",
        "id": app.id,
        "displayName": "Portal",
    }


def test_service_principals_filter(client: Any, catalog: Catalog, graph: GraphWorld) -> None:
    """Service principals filter too: Microsoft Graph's own is found by its appId."""
    query = "$filter=appId eq '00000003-0000-0000-c000-000000000000'&$select=displayName,appOwnerOrganizationId"
    body = client.get(f"/v1.0/servicePrincipals?{query}", headers=auth(catalog.token)).json()
    assert [sp["displayName"] for sp in body["value"]] == ["Microsoft Graph"]
