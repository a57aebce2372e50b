"""Graph `applications/{id}/federatedIdentityCredentials` (issue 13 §5) on both storage backends: v1.0 shapes,
Entra's defaults and limits (20 per app, name unique and fixed, issuer + subject unique, one audience, https
issuer), addressing by id or name, and who may read and change them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from graph.backends import GraphBackend
from graph.helpers import BAD_REQUEST, assert_graph_error
from graph.world import GraphWorld, auth
from tenantry.audit.events import AuditActivity
from tenantry.directory.models import Tenant

ISSUER = "https://token.actions.githubusercontent.com"


@pytest.fixture(scope="module")
def world(graph_backend: GraphBackend) -> GraphWorld:
    """The Graph world of the backend under test."""
    return graph_backend.world


@pytest.fixture(scope="module")
def tenant(world: GraphWorld) -> Tenant:
    """A tenant of this module's own."""
    return world.services.directory.create_tenant("Fic", [f"fic-{uuid.uuid4().hex[:8]}.example"])


@pytest.fixture(scope="module")
def writer(world: GraphWorld, tenant: Tenant) -> dict[str, str]:
    """Headers of an app with Application.ReadWrite.All."""
    return auth(world.app_token("Application.ReadWrite.All", tenant=tenant))


@pytest.fixture(scope="module")
def reader(world: GraphWorld, tenant: Tenant) -> dict[str, str]:
    """Headers of an app with Application.Read.All."""
    return auth(world.app_token("Application.Read.All", tenant=tenant))


def new_app(world: GraphWorld, writer: dict[str, str]) -> str:
    """A fresh application's object id."""
    made = world.http.post("/v1.0/applications", headers=writer, json={"displayName": "fic"})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def create(world: GraphWorld, headers: dict[str, str], app: str, **body: Any) -> Any:
    """`POST …/federatedIdentityCredentials`."""
    body = {"name": f"c-{uuid.uuid4().hex[:6]}", "issuer": ISSUER, "subject": f"repo:o/{uuid.uuid4().hex}", **body}
    return world.http.post(f"/v1.0/applications/{app}/federatedIdentityCredentials", headers=headers, json=body)


def test_create_get_list_update_delete(world: GraphWorld, writer: dict[str, str]) -> None:
    """201 with Graph's shape and the default audience; readable by id and by name; PATCH 204 keeps the
    name; DELETE 204, then 404."""
    app = new_app(world, writer)
    made = create(world, writer, app, name="main", subject="repo:o/r:ref:refs/heads/main", description="CI")
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["@odata.context"].endswith(f"applications('{app}')/federatedIdentityCredentials/$entity")
    assert made.headers["Location"].endswith(f"/applications/{app}/federatedIdentityCredentials/{body['id']}")
    assert {k: body[k] for k in ("name", "issuer", "subject", "audiences", "description")} == {
        "name": "main",
        "issuer": ISSUER,
        "subject": "repo:o/r:ref:refs/heads/main",
        "audiences": ["api://AzureADTokenExchange"],
        "description": "CI",
    }
    base = f"/v1.0/applications/{app}/federatedIdentityCredentials"
    for key in (body["id"], "main"):
        got = world.http.get(f"{base}/{key}", headers=writer)
        assert got.status_code == 200 and got.json()["id"] == body["id"]
    listed = world.http.get(base, headers=writer).json()["value"]
    assert [c["id"] for c in listed] == [body["id"]]
    patched = world.http.patch(f"{base}/main", headers=writer, json={"subject": "repo:o/r:environment:prod"})
    assert patched.status_code == 204, patched.text
    assert world.http.get(f"{base}/main", headers=writer).json()["subject"] == "repo:o/r:environment:prod"
    renamed = world.http.patch(f"{base}/main", headers=writer, json={"name": "other"})
    assert_graph_error(renamed, 400, BAD_REQUEST)
    assert world.http.delete(f"{base}/main", headers=writer).status_code == 204
    assert world.http.get(f"{base}/main", headers=writer).status_code == 404


def test_entra_rules(world: GraphWorld, writer: dict[str, str]) -> None:
    """Name and issuer + subject unique (409), https issuer, one audience, no '/' in names (400)."""
    app = new_app(world, writer)
    assert create(world, writer, app, name="dup", subject="s").status_code == 201
    assert create(world, writer, app, name="dup").status_code == 409
    assert create(world, writer, app, subject="s").status_code == 409
    for body in (
        {"issuer": "http://insecure.example"},
        {"audiences": ["a", "b"]},
        {"name": "a/b"},
        {"subject": ""},
    ):
        assert_graph_error(create(world, writer, app, **body), 400, BAD_REQUEST)


def test_twenty_per_app(world: GraphWorld, writer: dict[str, str]) -> None:
    """The 21st credential of one app is refused."""
    app = new_app(world, writer)
    for _ in range(20):
        assert create(world, writer, app).status_code == 201
    assert_graph_error(create(world, writer, app), 400, BAD_REQUEST)


def test_readers_read_and_cannot_write(
    world: GraphWorld, writer: dict[str, str], reader: dict[str, str], tenant: Tenant
) -> None:
    """Application.Read.All lists; creating or deleting needs the right to manage the app's credentials.
    Every change is in the audit log as an application update naming the property."""
    app = new_app(world, writer)
    made = create(world, writer, app, name="audited")
    assert made.status_code == 201
    base = f"/v1.0/applications/{app}/federatedIdentityCredentials"
    assert world.http.get(base, headers=reader).status_code == 200
    assert create(world, reader, app).status_code == 403
    assert world.http.delete(f"{base}/audited", headers=reader).status_code == 403
    records = world.services.audit.list_records(tenant.id)
    mentions = [
        r
        for r in records
        if r.activity == AuditActivity.UPDATE_APPLICATION.value
        and any(m[0] == "FederatedIdentityCredentials" for t in r.targets for m in t.modified)
    ]
    assert mentions
