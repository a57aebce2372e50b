"""This server described as an Azure cloud, the way the Azure CLI learns a cloud (`az cloud register`).

az asks `{resource manager}/metadata/endpoints?api-version=…` and maps the answer onto its cloud endpoints:
`authentication.loginEndpoint` is the authority host, `authentication.audiences[0]` the resource of ARM
tokens, `microsoftGraphResourceId` both Graph's base URL and the resource of Graph tokens (hence our public
URL, which names Graph: `apps/identifier_uris.public_url_aliases`).

The ARM surface lives under `/arm` but is published under another *origin* than the public URL: az chooses a
token's resource by the origin of the URL it calls (`az rest`, since 2.7x compares scheme, host and port),
so one origin for both would send ARM tokens to Graph. The default origin swaps `localhost` and `127.0.0.1`
(both are in the development certificate); any other host needs `TENANTRY_ARM_URL` (a second DNS name).

Shared by the ARM adapter (the metadata document) and the CLI (`tenantry az-cloud`), which both only format.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tenantry.common.transparent import ENTRA_ARM, graph_base_url, is_transparent

ARM_PATH = "/arm"
ARM_AUDIENCES = ("https://management.core.windows.net/", "https://management.azure.com/")
CLOUD_NAME = "Tenantry"
_SWAPPED_HOSTS = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}


def default_arm_url(public_url: str) -> str | None:
    """The public URL on the other loopback name, plus `/arm`; None when the host has no such twin. In
    transparent mode ARM's own host, where the ARM surface answers by Host at its root."""
    if is_transparent(public_url):
        return ENTRA_ARM
    parts = urlsplit(public_url)
    host = (parts.hostname or "").lower()
    if host not in _SWAPPED_HOSTS:
        return None
    netloc = _SWAPPED_HOSTS[host] + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, ARM_PATH, "", ""))


def origin(url: str) -> tuple[str, str, int]:
    """Scheme, lower-case host and port (the scheme's default when none is given): what az compares to
    choose a token's resource."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


@dataclass(frozen=True, slots=True)
class AzureCloud:
    """The server's URLs as an Azure cloud: `public_url` (authority, Graph) and `arm_url` (resource manager)."""

    public_url: str
    arm_url: str

    @classmethod
    def of(cls, public_url: str, configured_arm_url: str | None = None) -> AzureCloud:
        """The cloud of a server; ValueError when no ARM URL of another origin is configured or derivable."""
        arm_url = (configured_arm_url or default_arm_url(public_url) or "").rstrip("/")
        if not arm_url:
            raise ValueError(
                f"no ARM URL for {public_url}: set TENANTRY_ARM_URL to a URL of this server under another host "
                "name (for example https://arm.example.com/arm)"
            )
        if origin(arm_url) == origin(public_url):
            raise ValueError(f"the ARM URL {arm_url} must differ in host or port from the public URL {public_url}")
        return cls(public_url.rstrip("/"), arm_url)

    def metadata(self) -> dict[str, Any]:
        """ARM's `metadata/endpoints` document (api-version 2022-09-01 shape), with this server's URLs."""
        graph = f"{graph_base_url(self.public_url)}/"
        return {
            "name": CLOUD_NAME,
            "portal": self.public_url,
            "authentication": {
                "loginEndpoint": f"{self.public_url}/",
                "audiences": list(ARM_AUDIENCES),
                "tenant": "common",
                "identityProvider": "AAD",
            },
            "resourceManager": f"{self.arm_url}/",
            "microsoftGraphResourceId": graph,
            "graph": graph,
            "graphAudience": graph,
            "suffixes": {},
        }

    def register_commands(self) -> list[list[str]]:
        """The az commands that make this server az's active cloud (run in order)."""
        return [
            ["az", "cloud", "register", "--name", CLOUD_NAME, "--endpoint-resource-manager", self.arm_url],
            ["az", "cloud", "set", "--name", CLOUD_NAME],
            ["az", "config", "set", "core.instance_discovery=false"],
        ]

    def shell_lines(self) -> list[str]:
        """`register_commands`, quoted for a POSIX shell."""
        return [shlex.join(command) for command in self.register_commands()]
