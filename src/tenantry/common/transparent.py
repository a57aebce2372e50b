"""Transparent mode (`tenantry serve --transparent`): this server answers as Entra ID's public cloud.

Code with Entra's URLs written into it (`login.microsoftonline.com`, `graph.microsoft.com`,
`management.azure.com`) is pointed here by `/etc/hosts` lines and a CA bundle, not by configuration. The
one public URL stays the single truth (`Settings.public_url`, `<home>/server.json`): transparent mode *is*
the public URL `https://login.microsoftonline.com`, and every other Entra name is derived from it here, so
that the issuer, discovery, Graph's links and ARM's cloud document can never disagree.

Entra issues v1 tokens under `https://sts.windows.net/{tid}/` and v2 tokens under
`https://login.microsoftonline.com/{tid}/v2.0`; resource servers that check the issuer (fastapi-azure-auth,
Microsoft.Identity.Web) compare exactly those strings, so no other host may appear in them.
"""

from __future__ import annotations

ENTRA_AUTHORITY = "https://login.microsoftonline.com"
ENTRA_V1_ISSUER_BASE = "https://sts.windows.net"
ENTRA_GRAPH = "https://graph.microsoft.com"
ENTRA_ARM = "https://management.azure.com"
LOGIN_HOST = "login.microsoftonline.com"
GRAPH_HOST = "graph.microsoft.com"
ARM_HOST = "management.azure.com"
# The names this server answers as: its certificate's and the hosts file's.
TRANSPARENT_HOSTS = (LOGIN_HOST, GRAPH_HOST, ARM_HOST)
# The public cloud's alias set as Entra's instance discovery lists it (MSAL matches cached accounts on it).
ENTRA_ALIASES = ("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net")
TRANSPARENT_PORT = 443


def is_transparent(public_url: str) -> bool:
    """Whether the public URL is exactly Entra's authority (as `serve --transparent` sets it): issuers are
    compared as strings, so `https://login.microsoftonline.com:443` is not Entra's and is not transparent."""
    return public_url.rstrip("/").lower() == ENTRA_AUTHORITY


def v1_issuer_base(public_url: str) -> str:
    """Where v1 issuers live: Entra's `sts.windows.net` in transparent mode, else the public URL."""
    return ENTRA_V1_ISSUER_BASE if is_transparent(public_url) else public_url


def graph_base_url(public_url: str) -> str:
    """Graph's base for `@odata.context`, next links and `Location`: `graph.microsoft.com` in transparent
    mode (Graph answers there by Host), else the public URL, which also names Graph."""
    return ENTRA_GRAPH if is_transparent(public_url) else public_url


def hosts_file_lines(address: str = "127.0.0.1") -> list[str]:
    """The `/etc/hosts` lines that send Entra's names to this server."""
    return [f"{address} {host}" for host in TRANSPARENT_HOSTS]
