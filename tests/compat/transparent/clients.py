"""Unmodified client code with Entra's URLs written into it, run inside the test's namespace.

Its only configuration is the environment: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`
(EnvironmentCredential's), the CA bundle (`REQUESTS_CA_BUNDLE` for requests and azure-core,
`SSL_CERT_FILE` for httpx), the resource server's own app id (`API_APP_ID`), and a desktop app and its
user for MSAL's username and password flow (`PUBLIC_CLIENT_ID`, `USER_NAME`, `USER_PASSWORD`). Nothing names Tenantry:
no authority host, instance discovery on. Prints one JSON object of what each client saw.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from typing import Any

import msal
import requests
from azure.identity import EnvironmentCredential
from fastapi import FastAPI, Security
from fastapi.testclient import TestClient
from fastapi_azure_auth import SingleTenantAzureAuthorizationCodeBearer
from fastapi_azure_auth.user import User

GRAPH = "https://graph.microsoft.com"
ARM = "https://management.azure.com"


def claims(token: str) -> dict[str, Any]:
    """The token's payload, unverified: the test compares the issuer with Entra's."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def graph_and_arm(credential: EnvironmentCredential) -> dict[str, Any]:
    """Tokens for Graph and ARM from the environment alone, used on Graph's and ARM's own hosts."""
    graph_token = credential.get_token(f"{GRAPH}/.default").token
    users = requests.get(f"{GRAPH}/v1.0/users", headers={"Authorization": f"Bearer {graph_token}"}, timeout=10)
    arm_token = credential.get_token(f"{ARM}/.default").token
    subs = requests.get(
        f"{ARM}/subscriptions?api-version=2022-12-01", headers={"Authorization": f"Bearer {arm_token}"}, timeout=10
    )
    return {
        "graph_iss": claims(graph_token)["iss"],
        "graph_status": users.status_code,
        "graph_body": users.json(),
        "arm_iss": claims(arm_token)["iss"],
        "arm_status": subs.status_code,
        "arm_body": subs.json(),
    }


def msal_hard_coded() -> dict[str, Any]:
    """MSAL with Entra's authority written in and its defaults (instance discovery on); `get_accounts`
    asks login.microsoftonline.com's instance discovery for the cloud's aliases."""
    tenant = os.environ["AZURE_TENANT_ID"]
    app = msal.ConfidentialClientApplication(
        os.environ["AZURE_CLIENT_ID"],
        client_credential=os.environ["AZURE_CLIENT_SECRET"],
        authority=f"https://login.microsoftonline.com/{tenant}",
    )
    result = app.acquire_token_for_client([f"{GRAPH}/.default"])
    desktop = msal.PublicClientApplication(
        os.environ["PUBLIC_CLIENT_ID"], authority=f"https://login.microsoftonline.com/{tenant}"
    )
    # Username and password: MSAL first asks login.microsoftonline.com:443 for the user's realm.
    user = desktop.acquire_token_by_username_password(
        os.environ["USER_NAME"], os.environ["USER_PASSWORD"], scopes=["User.Read"]
    )
    return {
        "msal_iss": claims(result["access_token"])["iss"],
        "msal_accounts": app.get_accounts(),
        "ropc_upn": claims(user["access_token"]).get("upn") if "access_token" in user else user,
    }


def resource_server(credential: EnvironmentCredential) -> dict[str, Any]:
    """A FastAPI API behind fastapi-azure-auth on its defaults (v2 tokens, Entra's discovery and issuer)."""
    api_app_id = os.environ["API_APP_ID"]
    scheme = SingleTenantAzureAuthorizationCodeBearer(app_client_id=api_app_id, tenant_id=os.environ["AZURE_TENANT_ID"])
    api = FastAPI()
    caller = Security(scheme)  # FastAPI's idiom is a default argument; ruff's B008 wants it named first

    @api.get("/me")
    async def me(user: User = caller) -> dict[str, Any]:
        return {"iss": user.claims["iss"], "aud": user.aud, "roles": user.roles}

    token = credential.get_token("api://transparent-api/.default").token
    graph_token = credential.get_token(f"{GRAPH}/.default").token
    with TestClient(api) as client:
        good = client.get("/me", headers={"Authorization": f"Bearer {token}"})
        wrong = client.get("/me", headers={"Authorization": f"Bearer {graph_token}"})
    return {"api_status": good.status_code, "api_body": good.json(), "api_wrong_audience": wrong.status_code}


def msgraph_sdk() -> dict[str, Any]:
    """The msgraph SDK on its defaults (graph.microsoft.com/v1.0, httpx reading SSL_CERT_FILE)."""
    try:
        from azure.identity.aio import EnvironmentCredential as AsyncEnvironmentCredential
        from msgraph import GraphServiceClient
    except ImportError:
        return {"msgraph": None}

    async def users() -> list[str]:
        async with AsyncEnvironmentCredential() as aio_credential:
            client = GraphServiceClient(aio_credential)
            page = await client.users.get()
            return [u.user_principal_name or "" for u in (page.value if page and page.value else [])]

    return {"msgraph": asyncio.run(users())}


def main() -> None:
    """Every client in turn; the test asserts on the printed JSON."""
    credential = EnvironmentCredential()
    seen = {**graph_and_arm(credential), **msal_hard_coded(), **resource_server(credential)}
    seen.update(msgraph_sdk())
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
