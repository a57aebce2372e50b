"""Transparent mode's single truth (`common/transparent.py`): every Entra name derives from the public URL
`https://login.microsoftonline.com`, and nothing changes for any other public URL."""

from __future__ import annotations

import pytest

from tenantry.common.azure_cloud import AzureCloud, default_arm_url
from tenantry.common.transparent import (
    ENTRA_AUTHORITY,
    graph_base_url,
    hosts_file_lines,
    is_transparent,
    v1_issuer_base,
)
from tenantry.tokens.claims import issuer_for

TID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        (ENTRA_AUTHORITY, True),
        ("https://LOGIN.microsoftonline.com/", True),
        ("https://login.microsoftonline.com:443", False),  # issuers are compared as strings
        ("https://localhost:8443", False),
        ("https://login.microsoftonline.com.evil.example", False),
    ],
)
def test_only_entras_authority_is_transparent(public_url: str, expected: bool) -> None:
    """The switch is the public URL itself, exactly."""
    assert is_transparent(public_url) is expected


def test_issuers_are_entras_in_transparent_mode() -> None:
    """v2 on login.microsoftonline.com, v1 on sts.windows.net, as Entra issues them."""
    assert issuer_for(ENTRA_AUTHORITY, TID, 2) == f"https://login.microsoftonline.com/{TID}/v2.0"
    assert issuer_for(ENTRA_AUTHORITY, TID, 1) == f"https://sts.windows.net/{TID}/"
    assert v1_issuer_base("https://localhost:8443") == "https://localhost:8443"
    assert issuer_for("https://localhost:8443", TID, 1) == f"https://localhost:8443/{TID}/"


def test_graph_and_arm_live_on_their_own_hosts() -> None:
    """Graph's links name graph.microsoft.com and ARM is management.azure.com; otherwise as before."""
    assert graph_base_url(ENTRA_AUTHORITY) == "https://graph.microsoft.com"
    assert graph_base_url("https://localhost:8443") == "https://localhost:8443"
    assert default_arm_url(ENTRA_AUTHORITY) == "https://management.azure.com"
    metadata = AzureCloud.of(ENTRA_AUTHORITY).metadata()
    assert metadata["authentication"]["loginEndpoint"] == "https://login.microsoftonline.com/"
    assert metadata["microsoftGraphResourceId"] == "https://graph.microsoft.com/"
    assert metadata["resourceManager"] == "https://management.azure.com/"


def test_hosts_file_lines() -> None:
    """One loopback line per name the certificate carries."""
    assert hosts_file_lines() == [
        "127.0.0.1 login.microsoftonline.com",
        "127.0.0.1 graph.microsoft.com",
        "127.0.0.1 management.azure.com",
    ]
