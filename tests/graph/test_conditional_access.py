"""Graph conditional access (issue 12 §4) on both backends: `identity/conditionalAccess/policies` and
`namedLocations` — v1.0 shapes, create (201) / change (204) / delete (204), Entra's `BadRequest` refusals
(never a 500), a named location in use cannot be deleted, unknown properties are ignored, every change is
audited (category Policy), and a tenant sees only its own. Who may call them is
`test_conditional_access_permissions.py`.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from graph.backends import GraphBackend
from graph.helpers import BAD_REQUEST, GUID, NOT_FOUND, assert_graph_error
from graph.world import GraphWorld, auth
from tenantry.common.ids import new_guid
from tenantry.directory.models import Group
from tenantry.directory.roles import find_role

CA_ADMIN = "Conditional Access Administrator"
POLICIES = "/v1.0/identity/conditionalAccess/policies"
LOCATIONS = "/v1.0/identity/conditionalAccess/namedLocations"
CA_BAD_REQUEST = "BadRequest"
HELPDESK_ROLE_ID = "729827e3-9c14-49f7-bb1b-9608f156bbb8"


@pytest.fixture(scope="module")
def world(graph_backend: GraphBackend) -> GraphWorld:
    """The Graph world of the backend under test."""
    return graph_backend.world


@pytest.fixture(scope="module")
def http(world: GraphWorld) -> Any:
    """The backend's test client."""
    return world.http


@pytest.fixture(scope="module")
def admin(world: GraphWorld) -> dict[str, str]:
    """A Conditional Access Administrator calling with `Directory.AccessAsUser.All`."""
    return auth(world.user_token(world.new_user("ca-admin", CA_ADMIN), "Directory.AccessAsUser.All"))


def new_group(world: GraphWorld) -> Group:
    """A security group of the suite's tenant."""
    from tenantry.audit.recorder import SYSTEM, AuditContext
    from tenantry.directory.groups import NewGroup

    ctx = AuditContext(SYSTEM, world.services.clock.now())
    name = f"ca-{uuid.uuid4().hex[:6]}"
    return world.services.groups.create_group(world.tenant.id, NewGroup(name, name), ctx=ctx)


def ip_location(http: Any, headers: dict[str, str], *ranges: str, trusted: bool = False) -> dict[str, Any]:
    """Create an IP named location; its answer."""
    body = {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "displayName": f"Office {uuid.uuid4().hex[:6]}",
        "isTrusted": trusted,
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": r} for r in ranges],
    }
    response = http.post(LOCATIONS, headers=headers, json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def policy_body(**changes: Any) -> dict[str, Any]:
    """A minimal valid policy (all users, all apps, MFA) with top-level properties replaced."""
    body: dict[str, Any] = {
        "displayName": f"Require MFA {uuid.uuid4().hex[:6]}",
        "state": "enabledForReportingButNotEnforced",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
    }
    body.update(changes)
    return body


def create_policy(http: Any, headers: dict[str, str], **changes: Any) -> httpx.Response:
    """POST a policy."""
    response: httpx.Response = http.post(POLICIES, headers=headers, json=policy_body(**changes))
    return response


def test_named_locations_have_graph_shapes(world: GraphWorld, http: Any, admin: dict[str, str]) -> None:
    """IP (IPv4 and IPv6 ranges, trusted) and country locations: 201 with v1.0's properties of their kind,
    listed and read back; PATCH is 204; the kind cannot change."""
    body = {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "displayName": "Head office ✓",
        "isTrusted": True,
        "ipRanges": [
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"},
            {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "2001:db8::/32"},
        ],
        "someFutureProperty": {"ignored": True},
    }
    created = http.post(LOCATIONS, headers=admin, json=body)
    assert created.status_code == 201, created.text
    ip = created.json()
    assert list(ip) == [
        "@odata.context",
        "@odata.type",
        "id",
        "displayName",
        "createdDateTime",
        "modifiedDateTime",
        "ipRanges",
        "isTrusted",
    ]
    assert ip["@odata.context"].endswith("/v1.0/$metadata#identity/conditionalAccess/namedLocations/$entity")
    assert GUID.match(ip["id"]) and ip["isTrusted"] is True and ip["displayName"] == "Head office ✓"
    assert ip["ipRanges"] == body["ipRanges"]
    country = http.post(
        LOCATIONS,
        headers=admin,
        json={
            "@odata.type": "#microsoft.graph.countryNamedLocation",
            "displayName": "Nordics",
            "countriesAndRegions": ["no", "SE"],
            "includeUnknownCountriesAndRegions": False,
        },
    )
    assert country.status_code == 201, country.text
    assert country.json()["countriesAndRegions"] == ["NO", "SE"]
    assert "ipRanges" not in country.json() and country.json()["countryLookupMethod"] == "clientIpAddress"
    listed = http.get(LOCATIONS, headers=admin).json()
    assert {ip["id"], country.json()["id"]} <= {n["id"] for n in listed["value"]}
    one = http.get(f"{LOCATIONS}/{ip['id']}", headers=admin).json()
    assert {k: v for k, v in one.items() if k != "@odata.context"} == {
        k: v for k, v in ip.items() if k != "@odata.context"
    }
    patched = http.patch(
        f"{LOCATIONS}/{ip['id']}",
        headers=admin,
        json={"@odata.type": "#microsoft.graph.ipNamedLocation", "ipRanges": [{"cidrAddress": "198.51.100.7/32"}]},
    )
    assert patched.status_code == 204, patched.text
    after = http.get(f"{LOCATIONS}/{ip['id']}", headers=admin).json()
    assert after["ipRanges"] == [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "198.51.100.7/32"}]
    assert after["isTrusted"] is True and after["displayName"] == "Head office ✓"
    change_kind = {"@odata.type": "#microsoft.graph.countryNamedLocation", "countriesAndRegions": ["US"]}
    assert_graph_error(http.patch(f"{LOCATIONS}/{ip['id']}", headers=admin, json=change_kind), 400, CA_BAD_REQUEST)


def test_policy_lifecycle_and_shape(world: GraphWorld, http: Any, admin: dict[str, str]) -> None:
    """201 with every v1.0 property (what Tenantry does not evaluate at its empty value); listed; PATCH
    merges what it names (204, modifiedDateTime set); DELETE 204 then 404; each step audited as Entra names it."""
    user, group = world.new_user("target"), new_group(world)
    location = ip_location(http, admin, "192.0.2.0/24")
    app_id = world.new_app("payroll").app_id
    conditions = {
        "users": {
            "includeUsers": [user.id],
            "excludeUsers": ["GuestsOrExternalUsers"],
            "includeGroups": [group.id],
            "includeRoles": [HELPDESK_ROLE_ID],
        },
        "applications": {"includeApplications": [app_id]},
        "clientAppTypes": ["browser", "mobileAppsAndDesktopClients"],
        "locations": {"includeLocations": ["All"], "excludeLocations": [location["id"], "AllTrusted"]},
    }
    created = create_policy(http, admin, displayName="Payroll needs MFA", state="enabled", conditions=conditions)
    assert created.status_code == 201, created.text
    policy = created.json()
    assert policy["@odata.context"].endswith("/v1.0/$metadata#identity/conditionalAccess/policies/$entity")
    assert (policy["displayName"], policy["state"], policy["modifiedDateTime"]) == (
        "Payroll needs MFA",
        "enabled",
        None,
    )
    assert policy["sessionControls"] is None and policy["templateId"] is None
    assert policy["grantControls"] == {
        "operator": "OR",
        "builtInControls": ["mfa"],
        "customAuthenticationFactors": [],
        "termsOfUse": [],
    }
    got = policy["conditions"]
    assert got["users"]["includeUsers"] == [user.id] and got["users"]["includeRoles"] == [HELPDESK_ROLE_ID]
    assert got["users"]["excludeUsers"] == ["GuestsOrExternalUsers"] and got["users"]["includeGroups"] == [group.id]
    assert got["applications"]["includeApplications"] == [app_id] and got["applications"]["includeUserActions"] == []
    assert got["clientAppTypes"] == ["browser", "mobileAppsAndDesktopClients"]
    assert got["locations"] == {"includeLocations": ["All"], "excludeLocations": [location["id"], "AllTrusted"]}
    assert (got["userRiskLevels"], got["platforms"], got["devices"]) == ([], None, None)
    url = f"{POLICIES}/{policy['id']}"
    assert policy["id"] in {p["id"] for p in http.get(POLICIES, headers=admin).json()["value"]}
    patch = {"state": "disabled", "grantControls": {"operator": "AND", "builtInControls": ["mfa", "passwordChange"]}}
    assert http.patch(url, headers=admin, json=patch).status_code == 204
    after = http.get(url, headers=admin).json()
    assert after["state"] == "disabled" and after["modifiedDateTime"] is not None
    assert after["grantControls"]["builtInControls"] == ["mfa", "passwordChange"]
    assert after["conditions"]["users"] == got["users"] and after["displayName"] == "Payroll needs MFA"
    assert http.patch(url, headers=admin, json={"conditions": {"locations": None}}).status_code == 204
    assert http.get(url, headers=admin).json()["conditions"]["locations"] is None
    assert http.delete(url, headers=admin).status_code == 204
    assert_graph_error(http.get(url, headers=admin), 404, NOT_FOUND)
    assert_graph_error(http.delete(url, headers=admin), 404, NOT_FOUND)
    records = [r for r in world.services.audit.list_records(world.tenant.id) if r.targets[0].id == policy["id"]]
    assert sorted(r.activity for r in records) == [
        "Add conditional access policy",
        "Delete conditional access policy",
        "Update conditional access policy",
        "Update conditional access policy",
    ]
    assert {r.category for r in records} == {"Policy"}


REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("no name", {"displayName": "  "}, "displayName is required"),
    ("bad state", {"state": "on"}, "state must be one of"),
    ("device control", {"grantControls": {"builtInControls": ["compliantDevice"]}}, "cannot evaluate"),
    ("unknown control", {"grantControls": {"builtInControls": ["pray"]}}, "is not a grant control"),
    ("no control", {"grantControls": {"operator": "OR", "builtInControls": []}}, "at least one control"),
    ("block and mfa", {"grantControls": {"builtInControls": ["block", "mfa"]}}, "cannot be combined"),
    ("bad operator", {"grantControls": {"operator": "XOR", "builtInControls": ["mfa"]}}, "OR or AND"),
    ("terms of use", {"grantControls": {"builtInControls": ["mfa"], "termsOfUse": [new_guid()]}}, "cannot evaluate"),
    ("session controls", {"sessionControls": {"signInFrequency": {"value": 1}}}, "session controls"),
]
REFUSED_CONDITIONS: list[tuple[str, dict[str, Any], str]] = [
    ("no users", {"users": {"includeUsers": []}}, "must include users"),
    ("no apps", {"applications": {"includeApplications": []}}, "must include applications"),
    ("unknown user", {"users": {"includeUsers": [new_guid()]}}, "does not exist in the tenant"),
    ("unknown group", {"users": {"excludeGroups": [new_guid()], "includeUsers": ["All"]}}, "does not exist"),
    ("not a role", {"users": {"includeRoles": [new_guid()]}}, "does not exist"),
    ("malformed user", {"users": {"includeUsers": ["ada@contoso.com"]}}, "not a valid identifier"),
    ("unknown location", {"locations": {"includeLocations": [new_guid()]}}, "does not exist"),
    ("no locations", {"locations": {"includeLocations": []}}, "must include locations"),
    ("client app type", {"clientAppTypes": ["fax"]}, "is not one of"),
    ("no client app type", {"clientAppTypes": []}, "at least one value"),
    ("risk", {"signInRiskLevels": ["high"]}, "risk levels"),
    ("platforms", {"platforms": {"includePlatforms": ["all"]}}, "platforms"),
]


@pytest.mark.parametrize(("name", "changes", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_policies(http: Any, admin: dict[str, str], name: str, changes: dict[str, Any], message: str) -> None:
    """Entra's 400 `BadRequest` saying what to change; nothing stored."""
    before = len(http.get(POLICIES, headers=admin).json()["value"])
    error = assert_graph_error(create_policy(http, admin, **changes), 400, CA_BAD_REQUEST)
    assert message in error["message"], error
    assert len(http.get(POLICIES, headers=admin).json()["value"]) == before


@pytest.mark.parametrize(("name", "conditions", "message"), REFUSED_CONDITIONS, ids=[r[0] for r in REFUSED_CONDITIONS])
def test_refused_conditions(
    http: Any, admin: dict[str, str], name: str, conditions: dict[str, Any], message: str
) -> None:
    """A condition Entra refuses, or Tenantry cannot evaluate: 400 `BadRequest`, also on PATCH."""
    body = policy_body()
    body["conditions"].update(conditions)
    error = assert_graph_error(http.post(POLICIES, headers=admin, json=body), 400, CA_BAD_REQUEST)
    assert message in error["message"], error
    created = create_policy(http, admin)
    url = f"{POLICIES}/{created.json()['id']}"
    error = assert_graph_error(http.patch(url, headers=admin, json={"conditions": conditions}), 400, CA_BAD_REQUEST)
    assert message in error["message"], error
    assert http.delete(url, headers=admin).status_code == 204


def test_lenient_input(http: Any, admin: dict[str, str]) -> None:
    """Unknown properties and SDK annotations are ignored; special values are matched regardless of case;
    `None` users and report-only block are fine (Entra's way to stage a policy)."""
    body = policy_body(
        state="enabledForReportingButNotEnforced",
        grantControls={"@odata.type": "#microsoft.graph.conditionalAccessGrantControls", "builtInControls": ["block"]},
        unknownProperty=[1, 2],
    )
    body["conditions"]["users"] = {"includeUsers": ["none"], "@odata.type": "#microsoft.graph.conditionalAccessUsers"}
    created = http.post(POLICIES, headers=admin, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["conditions"]["users"]["includeUsers"] == ["None"]
    assert http.delete(f"{POLICIES}/{created.json()['id']}", headers=admin).status_code == 204


def test_bad_ranges_and_countries(http: Any, admin: dict[str, str]) -> None:
    """A range that is not CIDR, no range, a wrong family annotation, a country that is not two letters,
    or no @odata.type: 400 `BadRequest`."""
    ip = "#microsoft.graph.ipNamedLocation"
    bodies = [
        {"@odata.type": ip, "displayName": "x", "ipRanges": [{"cidrAddress": "300.1.2.3/8"}]},
        {"@odata.type": ip, "displayName": "x", "ipRanges": [{"cidrAddress": "10.0.0.1"}]},
        {"@odata.type": ip, "displayName": "x", "ipRanges": []},
        {
            "@odata.type": ip,
            "displayName": "x",
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "10.0.0.0/8"}],
        },
        {"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "x", "countriesAndRegions": ["NOR"]},
        {"displayName": "x", "ipRanges": [{"cidrAddress": "10.0.0.0/8"}]},
        {"@odata.type": ip, "ipRanges": [{"cidrAddress": "10.0.0.0/8"}]},
    ]
    for body in bodies:
        assert_graph_error(http.post(LOCATIONS, headers=admin, json=body), 400, CA_BAD_REQUEST)


def test_a_location_in_use_cannot_be_deleted(world: GraphWorld, http: Any, admin: dict[str, str]) -> None:
    """Entra refuses to delete a named location a policy references (400 naming the policy); once the
    policy no longer uses it, it goes (204, audited)."""
    location = ip_location(http, admin, "198.51.100.0/24", trusted=True)
    conditions = {
        "users": {"includeUsers": ["All"]},
        "applications": {"includeApplications": ["All"]},
        "locations": {"includeLocations": ["All"], "excludeLocations": [location["id"]]},
    }
    policy = create_policy(http, admin, displayName="Block outside the office", conditions=conditions).json()
    url = f"{LOCATIONS}/{location['id']}"
    error = assert_graph_error(http.delete(url, headers=admin), 400, CA_BAD_REQUEST)
    assert "Block outside the office" in error["message"]
    assert http.get(url, headers=admin).status_code == 200
    assert (
        http.patch(f"{POLICIES}/{policy['id']}", headers=admin, json={"conditions": {"locations": None}}).status_code
        == 204
    )
    assert http.delete(url, headers=admin).status_code == 204
    assert_graph_error(http.get(url, headers=admin), 404, NOT_FOUND)
    activities = [
        r.activity for r in world.services.audit.list_records(world.tenant.id) if r.targets[0].id == location["id"]
    ]
    assert sorted(activities) == ["Add named location", "Delete named location"]


def test_ids_and_tenants(world: GraphWorld, http: Any, admin: dict[str, str]) -> None:
    """A malformed id is 400, an unknown one 404 (GET, PATCH, DELETE); another tenant's administrator
    sees none of this tenant's policies or locations."""
    for base in (POLICIES, LOCATIONS):
        assert_graph_error(http.get(f"{base}/not-a-guid", headers=admin), 400, BAD_REQUEST)
        missing = f"{base}/{new_guid()}"
        assert_graph_error(http.get(missing, headers=admin), 404, NOT_FOUND)
        body = {"displayName": "x", "@odata.type": "#microsoft.graph.ipNamedLocation"}
        assert_graph_error(http.patch(missing, headers=admin, json=body), 404, NOT_FOUND)
        assert_graph_error(http.delete(missing, headers=admin), 404, NOT_FOUND)
    policy = create_policy(http, admin).json()
    location = ip_location(http, admin, "192.0.2.0/28")
    outsider = world.new_user("outsider", CA_ADMIN, tenant=world.other_tenant)
    assert find_role(CA_ADMIN) is not None
    token = _other_tenant_token(world, outsider.user_principal_name)
    assert_graph_error(http.get(f"{POLICIES}/{policy['id']}", headers=auth(token)), 404, NOT_FOUND)
    assert_graph_error(http.delete(f"{LOCATIONS}/{location['id']}", headers=auth(token)), 404, NOT_FOUND)
    assert policy["id"] not in str(http.get(POLICIES, headers=auth(token)).json())


def _other_tenant_token(world: GraphWorld, upn: str) -> str:
    """A delegated Graph token (`Directory.AccessAsUser.All`) for a user of the other tenant."""
    from tenantry.apps.first_party import GRAPH_APP_ID

    console = world.services.apps.create_app(world.other_tenant.id, "CA console", public_client=True)
    console = world.services.apps.add_permission(console, GRAPH_APP_ID, "Directory.AccessAsUser.All", "Scope")
    world.services.apps.admin_consent(console)
    form = {
        "grant_type": "password",
        "client_id": console.app_id,
        "username": upn,
        "password": "Graph-Suite-Passw0rd!",
        "scope": "https://graph.microsoft.com/Directory.AccessAsUser.All",
    }
    response = world.http.post(world.token_url(world.other_tenant), data=form)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    world.sensitive.add(token)
    return token


def test_control_characters_are_refused(http: Any, admin: dict[str, str]) -> None:
    """The Graph app's own check: a control character anywhere in the body is 400 `Request_BadRequest`."""
    assert_graph_error(create_policy(http, admin, displayName="evil\x00"), 400, BAD_REQUEST)
    body = {"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "x\x1b", "ipRanges": []}
    assert_graph_error(http.post(LOCATIONS, headers=admin, json=body), 400, BAD_REQUEST)


def test_a_policy_naming_deleted_objects_can_still_be_changed(
    world: GraphWorld, http: Any, admin: dict[str, str]
) -> None:
    """A user and a group deleted after the policy named them do not stop an admin from disabling it (the
    stored ids are not checked again); adding an unknown id still fails."""
    from tenantry.audit.recorder import SYSTEM, AuditContext

    user, group = world.new_user("leaver"), new_group(world)
    users = {"includeUsers": [user.id], "includeGroups": [group.id]}
    conditions = {**policy_body()["conditions"], "users": users}
    policy = create_policy(http, admin, state="enabled", conditions=conditions).json()
    world.services.users.delete_user(user)
    world.services.groups.delete_group(group, ctx=AuditContext(SYSTEM, world.services.clock.now()))
    url = f"{POLICIES}/{policy['id']}"
    assert http.patch(url, headers=admin, json={"state": "disabled"}).status_code == 204
    stranger = {"conditions": {"users": {**users, "excludeUsers": [new_guid()]}}}
    assert_graph_error(http.patch(url, headers=admin, json=stranger), 400, CA_BAD_REQUEST)


def test_odata_options(http: Any, admin: dict[str, str]) -> None:
    """`$filter` on state and `$select` work on policies, as on every Graph collection."""
    made = create_policy(http, admin, state="disabled", displayName=f"filtered {uuid.uuid4().hex[:6]}").json()
    listed = http.get(POLICIES, headers=admin, params={"$filter": "state eq 'disabled'", "$select": "displayName"})
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["@odata.context"].endswith("#identity/conditionalAccess/policies(displayName)")
    assert {"id": made["id"], "displayName": made["displayName"]} in body["value"]
    assert all(set(p) == {"id", "displayName"} for p in body["value"])
