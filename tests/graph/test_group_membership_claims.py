"""`groupMembershipClaims` on Graph's application: set, read back, and refused when not one of Graph's values."""

from __future__ import annotations

from typing import Any

from graph.helpers import assert_graph_error
from graph.world import GraphWorld, auth


def test_group_membership_claims_round_trip(graph: GraphWorld, client: Any) -> None:
    """PATCH sets it, GET shows it, "None" clears it; an unknown value is a 400."""
    token = graph.app_token("Application.ReadWrite.All")
    app = graph.new_app("grouped")
    url = f"/v1.0/applications/{app.id}"
    assert client.patch(url, headers=auth(token), json={"groupMembershipClaims": "SecurityGroup"}).status_code == 204
    shown = client.get(f"{url}?$select=groupMembershipClaims", headers=auth(token)).json()
    assert shown["groupMembershipClaims"] == "SecurityGroup"
    assert client.patch(url, headers=auth(token), json={"groupMembershipClaims": "None"}).status_code == 204
    assert client.get(url, headers=auth(token)).json()["groupMembershipClaims"] is None
    refused = client.patch(url, headers=auth(token), json={"groupMembershipClaims": "Everything"})
    assert_graph_error(refused, 400, "Request_BadRequest")
