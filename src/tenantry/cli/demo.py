"""The demo tenant `make run` creates on first start: an API with an app role and a daemon client."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from tenantry.app import Services
from tenantry.apps.models import Application
from tenantry.directory.models import Tenant

DEMO_DOMAIN = "demo.tenantry.example"
DEMO_API_URI = "api://demo-api"
DEMO_ROLE = "Data.Read.All"
DEMO_CLIENT_NAME = "Demo daemon"


@dataclass(frozen=True, slots=True)
class Demo:
    """What the snippet needs; `secret` is set only on the run that created the client."""

    tenant: Tenant
    api: Application
    client: Application
    secret: str | None


def ensure_demo(svc: Services) -> Demo:
    """Create the demo objects unless they exist; idempotent across restarts."""
    tenant = svc.directory.find_tenant(DEMO_DOMAIN) or svc.directory.create_tenant("Tenantry Demo", [DEMO_DOMAIN])
    api = svc.apps.find_app(DEMO_API_URI, tenant.id)
    if api is None:
        api = svc.apps.create_app(tenant.id, "Demo API", identifier_uris=(DEMO_API_URI,))
        svc.apps.add_app_role(api, DEMO_ROLE, "Read all demo data")
        api = svc.apps.find_app(api.app_id) or api
    client = next((a for a in svc.apps.list_apps(tenant.id) if a.display_name == DEMO_CLIENT_NAME), None)
    secret = None
    if client is None:
        client = svc.apps.create_app(tenant.id, DEMO_CLIENT_NAME)
        client = svc.apps.add_permission(client, api.app_id, DEMO_ROLE, "Role")
        svc.apps.admin_consent(client)
        secret = svc.credentials.add_secret(client, "demo").secret_text
    return Demo(tenant, api, client, secret)


def demo_banner(demo: Demo, base_url: str, ca_path: str) -> str:
    """The text `make run` prints: ids, the secret (first start only) and a ready-to-paste MSAL snippet."""
    secret = demo.secret or "<shown at first start; make a new one: tenantry app credential reset --id CLIENT --append>"
    return f"""
Tenantry demo tenant
  tenant      {demo.tenant.id}  ({DEMO_DOMAIN})
  client id   {demo.client.app_id}  ({DEMO_CLIENT_NAME})
  secret      {secret}
  api         {DEMO_API_URI}  (app role {DEMO_ROLE})

Get a token with MSAL (Python):

export REQUESTS_CA_BUNDLE={ca_path}
{sys.executable} - <<'PY'
import msal
app = msal.ConfidentialClientApplication(
    "{demo.client.app_id}",
    client_credential="{secret}",
    authority="{base_url}/{demo.tenant.id}",
    instance_discovery=False,
)
print(app.acquire_token_for_client(scopes=["{DEMO_API_URI}/.default"]))
PY
"""
