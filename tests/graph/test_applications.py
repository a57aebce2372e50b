"""The application resource end to end: create (caller becomes owner), read by object id and by
`(appId='…')`, PATCH, DELETE (with its service principal), owners via `$ref`, and certificates through
`addKey`/`removeKey` with Graph's proof-of-possession JWT (entra-reference §4.3)."""

from __future__ import annotations

import base64
import time
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jwk import RSAKey

from graph.helpers import BAD_REQUEST, GUID, assert_graph_error
from graph.world import GLOBAL_ADMIN, GraphWorld, auth
from protocol.conftest import Certificate, make_certificate
from tenantry.apps.models import Application

PROOF_AUDIENCE = "00000002-0000-0000-c000-000000000000"


def proof_for(app: Application, cert: Certificate, *, issuer: str | None = None) -> str:
    """Graph's proof: RS256 by a current certificate, `aud` AAD Graph, `iss` the app's object id, 10 minutes."""
    now = int(time.time())
    claims = {"aud": PROOF_AUDIENCE, "iss": issuer or app.id, "nbf": now, "exp": now + 600}
    return jwt.encode({"alg": "RS256", "x5t": cert.x5t}, claims, RSAKey.import_key(cert.private_pem))


def key_body(cert: Certificate, proof: str | None = None) -> dict[str, Any]:
    """An addKey body for `cert` (base64 DER)."""
    der = cert.cert.public_bytes(serialization.Encoding.DER)
    credential = {"type": "AsymmetricX509Cert", "usage": "Verify", "key": base64.b64encode(der).decode()}
    return {"keyCredential": credential, "passwordCredential": None, "proof": proof}


def test_create_read_patch_delete(graph: GraphWorld, client: Any) -> None:
    """POST answers 201 with Graph's shape; PATCH changes what it names; DELETE removes app and SP."""
    admin = graph.user_token(graph.new_user("creator", GLOBAL_ADMIN))
    body = {
        "displayName": "Orders API",
        "identifierUris": ["api://graph-suite/orders"],
        "web": {"redirectUris": ["https://orders.example/callback"]},
        "api": {"requestedAccessTokenVersion": 2},
    }
    created = client.post("/v1.0/applications", headers=auth(admin), json=body)
    assert created.status_code == 201, created.text
    app = created.json()
    assert GUID.match(app["id"]) and GUID.match(app["appId"])
    assert created.headers["location"].endswith(f"/v1.0/applications/{app['id']}")
    assert app["@odata.context"].endswith("/v1.0/$metadata#applications/$entity")
    assert (app["signInAudience"], app["tenantryStatus"]) == ("AzureADMyOrg", "no credentials")
    assert app["api"]["requestedAccessTokenVersion"] == 2 and app["web"]["redirectUris"] == body["web"]["redirectUris"]

    patch = {"displayName": "Orders API v2", "spa": {"redirectUris": ["https://spa.example/"]}}
    assert (
        client.patch(f"/v1.0/applications(appId='{app['appId']}')", headers=auth(admin), json=patch).status_code == 204
    )
    read = client.get(f"/v1.0/applications/{app['id']}", headers=auth(admin)).json()
    assert (read["displayName"], read["spa"]["redirectUris"]) == ("Orders API v2", ["https://spa.example/"])
    assert read["identifierUris"] == ["api://graph-suite/orders"]

    sps = client.get(f"/v1.0/servicePrincipals?$filter=appId eq '{app['appId']}'", headers=auth(admin)).json()
    assert sps["value"] == [], "as in Entra, POST /applications makes no service principal (az ad sp create does)"
    made = client.post("/v1.0/servicePrincipals", headers=auth(admin), json={"appId": app["appId"]})
    assert made.status_code == 201, made.text
    assert client.delete(f"/v1.0/applications/{app['id']}", headers=auth(admin)).status_code == 204
    assert_graph_error(
        client.get(f"/v1.0/applications/{app['id']}", headers=auth(admin)), 404, "Request_ResourceNotFound"
    )
    sps = client.get(f"/v1.0/servicePrincipals?$filter=appId eq '{app['appId']}'", headers=auth(admin)).json()
    assert sps["value"] == []


def test_creator_becomes_owner_and_owners_are_managed_by_ref(graph: GraphWorld, client: Any) -> None:
    """The creating user is the first owner; `owners/$ref` adds a user or SP, `owners/{id}/$ref` removes."""
    creator = graph.new_user("cloud-admin", "Cloud Application Administrator")
    token = graph.user_token(creator)
    app = client.post("/v1.0/applications", headers=auth(token), json={"displayName": "Owned"}).json()
    owners_url = f"/v1.0/applications/{app['id']}/owners"
    owners = client.get(owners_url, headers=auth(token)).json()
    assert owners["@odata.context"].endswith("/v1.0/$metadata#directoryObjects")
    assert [(o["@odata.type"], o["id"], o["userPrincipalName"]) for o in owners["value"]] == [
        ("#microsoft.graph.user", creator.id, creator.user_principal_name)
    ]
    colleague = graph.new_user("colleague")
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{colleague.id}"}
    assert client.post(f"{owners_url}/$ref", headers=auth(token), json=ref).status_code == 204
    assert_graph_error(client.post(f"{owners_url}/$ref", headers=auth(token), json=ref), 400, BAD_REQUEST)
    listed = {o["id"] for o in client.get(owners_url, headers=auth(token)).json()["value"]}
    assert listed == {creator.id, colleague.id}
    assert client.delete(f"{owners_url}/{colleague.id}/$ref", headers=auth(token)).status_code == 204
    assert_graph_error(
        client.delete(f"{owners_url}/{colleague.id}/$ref", headers=auth(token)), 404, "Request_ResourceNotFound"
    )
    missing = {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-0000-0000-0000000000aa"}
    assert_graph_error(
        client.post(f"{owners_url}/$ref", headers=auth(token), json=missing), 404, "Request_ResourceNotFound"
    )


def test_add_key_needs_proof_once_a_valid_certificate_exists(graph: GraphWorld, client: Any) -> None:
    """The first certificate needs only the ordinary right; the next needs a proof signed by a current
    one; a proven app may roll its own keys with no Graph permission; removeKey takes the same proof."""
    admin = graph.app_token("Application.ReadWrite.All")
    app, secret = graph.daemon()
    lifetime = timedelta(days=365)
    first, second = make_certificate("first", lifetime=lifetime), make_certificate("second", lifetime=lifetime)
    graph.sensitive.add(first.private_pem)
    graph.sensitive.add(second.private_pem)
    added = client.post(f"/v1.0/applications/{app.id}/addKey", headers=auth(admin), json=key_body(first))
    assert added.status_code == 200, added.text
    key = added.json()
    assert (key["type"], key["usage"], key["key"], key["tenantryStatus"]) == (
        "AsymmetricX509Cert",
        "Verify",
        None,
        "valid",
    )
    assert base64.b64decode(key["customKeyIdentifier"]) == base64.urlsafe_b64decode(first.x5t + "=")

    no_proof = client.post(f"/v1.0/applications/{app.id}/addKey", headers=auth(admin), json=key_body(second))
    assert "proof" in assert_graph_error(no_proof, 400, BAD_REQUEST)["message"]
    forged = key_body(second, proof_for(app, second))
    assert_graph_error(
        client.post(f"/v1.0/applications/{app.id}/addKey", headers=auth(admin), json=forged), 400, "Request_BadRequest"
    )
    wrong_issuer = key_body(second, proof_for(app, first, issuer=app.app_id))
    assert_graph_error(
        client.post(f"/v1.0/applications/{app.id}/addKey", headers=auth(admin), json=wrong_issuer),
        400,
        "Request_BadRequest",
    )

    own_token = graph.msal_token(app.app_id, secret)["access_token"]
    rolled = client.post(
        f"/v1.0/applications/{app.id}/addKey", headers=auth(own_token), json=key_body(second, proof_for(app, first))
    )
    assert rolled.status_code == 200, rolled.text

    selected = client.get(f"/v1.0/applications/{app.id}?$select=keyCredentials", headers=auth(admin)).json()
    assert {base64.b64decode(k["key"]) for k in selected["keyCredentials"]} == {
        c.cert.public_bytes(serialization.Encoding.DER) for c in (first, second)
    }
    remove = {"keyId": key["keyId"], "proof": proof_for(app, second)}
    assert client.post(f"/v1.0/applications/{app.id}/removeKey", headers=auth(admin), json=remove).status_code == 204
    assert [c.key_id for c in graph.services.credentials.list_credentials(app)[1]] == [rolled.json()["keyId"]]


def test_add_key_refuses_what_is_not_a_verify_certificate(graph: GraphWorld, client: Any) -> None:
    """Only `AsymmetricX509Cert`/`Verify` with a parsable certificate is accepted (400 otherwise)."""
    admin = graph.app_token("Application.ReadWrite.All")
    app = graph.new_app()
    body = key_body(make_certificate("x"))
    body["keyCredential"]["usage"] = "Sign"
    assert_graph_error(
        client.post(f"/v1.0/applications/{app.id}/addKey", headers=auth(admin), json=body), 400, "Request_BadRequest"
    )
    body["keyCredential"].update(usage="Verify", key=base64.b64encode(b"not a certificate").decode())
    assert_graph_error(
        client.post(f"/v1.0/applications/{app.id}/addKey", headers=auth(admin), json=body), 400, "Request_BadRequest"
    )
