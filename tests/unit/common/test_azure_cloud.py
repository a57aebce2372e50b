"""`AzureCloud`: the server as az sees a cloud, with ARM always on another origin than Graph."""

from __future__ import annotations

import pytest

from tenantry.common.azure_cloud import AzureCloud, default_arm_url


@pytest.mark.parametrize(
    ("public", "arm"),
    [
        ("https://localhost:9443", "https://127.0.0.1:9443/arm"),
        ("https://127.0.0.1:9443", "https://localhost:9443/arm"),
        ("https://LOCALHOST", "https://127.0.0.1/arm"),
        ("https://login.example.com", None),
    ],
)
def test_default_arm_url_swaps_the_loopback_names(public: str, arm: str | None) -> None:
    """Both loopback names are in the dev certificate; another host has no twin to swap to."""
    assert default_arm_url(public) == arm


def test_a_configured_arm_url_wins_and_must_be_another_origin() -> None:
    """TENANTRY_ARM_URL is used as given (one trailing slash dropped); on the public URL's own origin az
    would send ARM tokens to Graph, so it is refused, as is a host without an ARM URL at all."""
    cloud = AzureCloud.of("https://login.example.com", "https://arm.example.com/arm/")
    assert (cloud.public_url, cloud.arm_url) == ("https://login.example.com", "https://arm.example.com/arm")
    with pytest.raises(ValueError, match="must differ"):
        AzureCloud.of("https://login.example.com", "https://LOGIN.example.com:443/arm")
    with pytest.raises(ValueError, match="TENANTRY_ARM_URL"):
        AzureCloud.of("https://login.example.com")


def test_commands_register_the_cloud_then_turn_instance_discovery_off() -> None:
    """The printed commands, quoted for a shell."""
    lines = AzureCloud.of("https://localhost:9443").shell_lines()
    assert lines == [
        "az cloud register --name Tenantry --endpoint-resource-manager https://127.0.0.1:9443/arm",
        "az cloud set --name Tenantry",
        "az config set core.instance_discovery=false",
    ]
