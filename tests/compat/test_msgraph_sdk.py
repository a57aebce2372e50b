"""The Microsoft Graph SDK for Python (msgraph-sdk), unmodified, against the live server (issue 13 §7).

What a user configures, as the README's client table says: azure-identity's async `ClientSecretCredential`
with the authority host (its aiohttp transport reads no CA variable, hence `connection_verify`), a
`GraphRequestAdapter` whose `base_url` is the server's `/v1.0` and whose authentication provider allows the
server's host (the SDK attaches tokens only for Graph's own hosts unless told otherwise) and Graph's scope,
and `SSL_CERT_FILE` for httpx, which reads it and not `REQUESTS_CA_BUNDLE`. In transparent mode none of
this is needed: `tests/compat/test_transparent.py` runs the SDK on its defaults.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest
from azure.identity.aio import ClientSecretCredential

from support.world import CompatEnv
from tenantry.apps.first_party import GRAPH_APP_ID

msgraph = pytest.importorskip("msgraph", reason="msgraph-sdk is not installed (a dev dependency)")
from msgraph import GraphRequestAdapter, GraphServiceClient  # noqa: E402
from msgraph_core.authentication import AzureIdentityAuthenticationProvider  # noqa: E402

pytestmark = pytest.mark.compat

UPN_PREFIX = "graph-sdk-reader"
# Without scopes the SDK derives `https://{host}/.default` from the URL and drops the port, which names no
# resource here; Graph's own scope is what it sends to graph.microsoft.com.
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


async def _list_users(env: CompatEnv, client_id: str, secret: str) -> list[str]:
    """`client.users.get()` with the SDK as a user would configure it for this server."""
    credential = ClientSecretCredential(
        env.tenant.id,
        client_id,
        secret,
        authority=env.base_url,
        disable_instance_discovery=True,
        connection_verify=str(env.ca_path),
    )
    async with credential:
        host = urlsplit(env.base_url).hostname or "localhost"
        provider = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_SCOPE], allowed_hosts=[host])
        adapter = GraphRequestAdapter(provider)
        adapter.base_url = f"{env.base_url}/v1.0"
        page = await GraphServiceClient(request_adapter=adapter).users.get()
    assert page is not None and page.value is not None
    return [user.user_principal_name or "" for user in page.value]


def test_graph_service_client_lists_users(env: CompatEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """An app holding Graph's User.Read.All (admin-consented) lists the tenant's users through the SDK."""
    monkeypatch.setenv("SSL_CERT_FILE", str(env.ca_path))
    services = env.services
    upn = f"{UPN_PREFIX}@{env.DOMAIN}"
    services.users.create_user(env.tenant.id, upn, "Graph-Sdk-Pa55word!", display_name="Graph SDK reader")
    app = services.apps.create_app(env.tenant.id, "Graph SDK daemon")
    app = services.apps.add_permission(app, GRAPH_APP_ID, "User.Read.All", "Role")
    services.apps.admin_consent(app)
    secret = env.add_secret(app).secret_text
    assert upn in asyncio.run(_list_users(env, app.app_id, secret))
