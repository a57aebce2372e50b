"""Rotating a client secret through Graph never causes downtime (issue 4, seeds 002/004): `addPassword`
returns a secret that works at once while the old one still works; after `removePassword` the old one
gets AADSTS7000215; an expired one gets AADSTS7000222. Tokens come from the real MSAL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from graph.world import GraphWorld, auth
from tenantry.credentials.secrets import HINT_LENGTH


def add_password(graph: GraphWorld, client: Any, token: str, app_id: str, **credential: str) -> dict[str, Any]:
    """POST addPassword and remember the new secret for the log guard."""
    body = {"passwordCredential": credential}
    response = client.post(f"/v1.0/applications/{app_id}/addPassword", headers=auth(token), json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    graph.sensitive.add(created["secretText"])
    return created


def test_rotation_without_downtime(graph: GraphWorld, client: Any) -> None:
    """Old and new secrets both get tokens until the old one is removed; then the old one is 7000215."""
    admin = graph.app_token("Application.ReadWrite.All")
    app, old_secret = graph.daemon()
    assert "access_token" in graph.msal_token(app.app_id, old_secret)

    created = add_password(graph, client, admin, app.id, displayName="rotated in")
    new_secret = created["secretText"]
    assert created["hint"] == new_secret[:HINT_LENGTH] and created["displayName"] == "rotated in"
    assert created["tenantryStatus"] == "valid"
    assert "access_token" in graph.msal_token(app.app_id, new_secret)
    assert "access_token" in graph.msal_token(app.app_id, old_secret)

    listed = client.get(f"/v1.0/applications/{app.id}?$select=passwordCredentials", headers=auth(admin)).json()
    old_key = next(p["keyId"] for p in listed["passwordCredentials"] if p["keyId"] != created["keyId"])
    assert all(p["secretText"] is None for p in listed["passwordCredentials"])
    response = client.post(f"/v1.0/applications/{app.id}/removePassword", headers=auth(admin), json={"keyId": old_key})
    assert response.status_code == 204, response.text

    refused = graph.msal_token(app.app_id, old_secret)
    assert refused["error"] == "invalid_client" and refused["error_codes"] == [7000215]
    assert "access_token" in graph.msal_token(app.app_id, new_secret)


def test_expired_secret_is_7000222_and_listed_as_expired(graph: GraphWorld, client: Any) -> None:
    """A secret whose end passed still shows (status "expired") until deleted, and is refused with 7000222."""
    admin = graph.app_token("Application.ReadWrite.All")
    app = graph.new_app("lapsing")
    now = graph.services.clock.now()
    start, end = (now - timedelta(days=30)).isoformat(), (now - timedelta(days=1)).isoformat()
    created = add_password(graph, client, admin, app.id, startDateTime=start, endDateTime=end)
    assert created["tenantryStatus"] == "expired"
    refused = graph.msal_token(app.app_id, created["secretText"])
    assert refused["error_codes"] == [7000222]
    listed = client.get(f"/v1.0/applications/{app.id}", headers=auth(admin)).json()
    assert [p["tenantryStatus"] for p in listed["passwordCredentials"]] == ["expired"]
    assert listed["tenantryStatus"] == "expired"


def test_status_counts_days_to_expiry(graph: GraphWorld, client: Any) -> None:
    """A secret ending in 7 days is "expiring in 7 days"; the app's status follows its longest-lived credential."""
    admin = graph.app_token("Application.ReadWrite.All")
    app = graph.new_app("expiring")
    end = (graph.services.clock.now() + timedelta(days=7, minutes=-1)).isoformat()
    created = add_password(graph, client, admin, app.id, endDateTime=end)
    assert created["tenantryStatus"] == "expiring in 7 days"
    found = client.get(f"/v1.0/applications/{app.id}?$select=tenantryStatus", headers=auth(admin)).json()
    assert found["tenantryStatus"] == "expiring in 7 days"
    add_password(graph, client, admin, app.id)
    found = client.get(f"/v1.0/applications/{app.id}?$select=tenantryStatus", headers=auth(admin)).json()
    assert found["tenantryStatus"] == "valid"


def test_add_password_defaults_to_two_years_and_is_addressable_by_app_id(graph: GraphWorld, client: Any) -> None:
    """An empty body gives Graph's default lifetime (start now, end two years later); the
    `(appId='…')` form reaches the same app."""
    admin = graph.app_token("Application.ReadWrite.All")
    app = graph.new_app("by-app-id")
    response = client.post(f"/v1.0/applications(appId='{app.app_id}')/addPassword", headers=auth(admin))
    assert response.status_code == 200, response.text
    created = response.json()
    graph.sensitive.add(created["secretText"])
    assert created["@odata.context"].endswith("/v1.0/$metadata#microsoft.graph.passwordCredential")
    assert int(created["endDateTime"][:4]) - int(created["startDateTime"][:4]) == 2
    secrets, _ = graph.services.credentials.list_credentials(app)
    assert [s.key_id for s in secrets] == [created["keyId"]]


def test_remove_unknown_password_is_404(graph: GraphWorld, client: Any) -> None:
    """Removing a keyId the app does not have is a 404, not a silent success."""
    admin = graph.app_token("Application.ReadWrite.All")
    app = graph.new_app()
    body = {"keyId": "00000000-0000-0000-0000-000000000001"}
    response = client.post(f"/v1.0/applications/{app.id}/removePassword", headers=auth(admin), json=body)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "Request_ResourceNotFound"
