"""`ApplicationRepository` and `ApplicationLookup` contract: app registrations and their JSON document."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from functools import partial
from threading import Barrier

import pytest
from sqlalchemy.exc import IntegrityError

from tenantry.apps.models import (
    Application,
    AppRole,
    PermissionScope,
    RequiredResourceAccess,
    ResourceAccess,
    SignInAudience,
)
from tenantry.apps.service import AppService, IdentifierUriTakenError
from tenantry.common.clock import FixedClock
from tenantry.common.ids import new_guid
from tenantry.directory.models import Tenant
from tenantry.store.unit_of_work import Store

from .conftest import NOW, app_record, tenant_record


@pytest.fixture
def tenant(store: Store) -> Tenant:
    """A tenant of the test's own."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    return tenant


def full_app(tenant_id: str) -> Application:
    """An app using every field the JSON document carries, with non-ASCII text and mixed flags."""
    api_app_id = new_guid()
    return Application(
        id=new_guid(),
        tenant_id=tenant_id,
        app_id=new_guid(),
        display_name="Zahlungs-API — Ü",
        created_at=NOW,
        sign_in_audience=SignInAudience.MULTIPLE_ORGS,
        identifier_uris=(f"api://{new_guid()}", f"https://payroll.example.com/{new_guid()}"),
        web_redirect_uris=("https://app.example.com/signin-oidc", "http://localhost:5000/cb"),
        spa_redirect_uris=("https://spa.example.com/",),
        public_client_redirect_uris=("msal0000://auth", "http://localhost"),
        is_fallback_public_client=True,
        app_roles=(
            AppRole(new_guid(), "Payroll.Read.All", "Read payroll", "Lire la paie ✓", ("Application",)),
            AppRole(new_guid(), "Payroll.Admin", "Admin", "", ("User", "Application"), is_enabled=False),
        ),
        oauth2_permission_scopes=(
            PermissionScope(new_guid(), "user_impersonation", "Admin", "Access", "Access the API", "Use", "Use it"),
            PermissionScope(new_guid(), "Files.Read", is_enabled=False),
        ),
        requested_access_token_version=2,
        required_resource_access=(
            RequiredResourceAccess(
                api_app_id, (ResourceAccess(new_guid(), "Role"), ResourceAccess(new_guid(), "Scope"))
            ),
            RequiredResourceAccess(new_guid(), ()),
        ),
    )


def test_an_added_app_is_found_by_object_id_app_id_and_identifier_uri(store: Store, tenant: Tenant) -> None:
    """The three lookups all return the stored app, equal field for field."""
    app = app_record(tenant.id, identifier_uris=(f"api://{new_guid()}",))
    with store.transaction() as unit:
        unit.add_application(app)
    with store.transaction() as unit:
        assert unit.find_application(app.id) == app
        assert unit.find_application_by_app_id(app.app_id) == app
        assert unit.find_application_by_identifier_uri(tenant.id, app.identifier_uris[0]) == app


def test_the_json_document_round_trips_every_list_property(store: Store, tenant: Tenant) -> None:
    """App roles, scopes, required resource access, redirect URIs and flags survive add and read unchanged."""
    app = full_app(tenant.id)
    with store.transaction() as unit:
        unit.add_application(app)
    with store.transaction() as unit:
        found = unit.find_application(app.id)
    assert found == app
    assert found is not None
    assert found.access_token_version == 2
    assert found.is_public_client


def test_update_replaces_columns_document_and_identifier_uris(store: Store, tenant: Tenant) -> None:
    """After `update_application` every read sees the new version, and old App ID URIs no longer resolve."""
    app = full_app(tenant.id)
    with store.transaction() as unit:
        unit.add_application(app)
    kept, dropped = app.identifier_uris
    updated = replace(
        app,
        display_name="Renamed",
        identifier_uris=(kept, f"api://{new_guid()}"),
        web_redirect_uris=(),
        is_fallback_public_client=False,
        requested_access_token_version=None,
        app_roles=(*app.app_roles, AppRole(new_guid(), "Payroll.Write", "Write")),
        required_resource_access=(),
    )
    with store.transaction() as unit:
        unit.update_application(updated)
    with store.transaction() as unit:
        assert unit.find_application(app.id) == updated
        assert unit.find_application_by_app_id(app.app_id) == updated
        assert unit.find_application_by_identifier_uri(tenant.id, kept) == updated
        assert unit.find_application_by_identifier_uri(tenant.id, updated.identifier_uris[1]) == updated
        assert unit.find_application_by_identifier_uri(tenant.id, dropped) is None


def variants(uri: str) -> tuple[str, ...]:
    """Spellings of `uri` that name the same resource: case and one trailing slash do not count."""
    return (uri.upper(), uri + "/", uri.upper() + "/", uri.replace("api://", "API://"))


def test_identifier_uri_lookup_ignores_case_and_one_trailing_slash(store: Store, tenant: Tenant) -> None:
    """The repository compares App ID URIs as Entra does; anything more than that is another URI."""
    uri = f"api://{new_guid()}/Orders"
    app = app_record(tenant.id, identifier_uris=(uri,))
    with store.transaction() as unit:
        unit.add_application(app)
    with store.transaction() as unit:
        for variant in variants(uri):
            assert unit.find_application_by_identifier_uri(tenant.id, variant) == app, variant
        for other in (uri + "//", uri + "x", uri[:-1], uri.replace("api://", "https://")):
            assert unit.find_application_by_identifier_uri(tenant.id, other) is None, other
        assert unit.find_application(app.id) == app  # the app keeps its own spelling


@pytest.mark.parametrize("variant", range(4), ids=["upper", "slash", "upper-slash", "scheme"])
def test_a_variant_of_a_taken_identifier_uri_is_refused_in_the_tenant(
    store: Store, tenant: Tenant, variant: int
) -> None:
    """The unique key is per tenant and normalised: a second app cannot add or switch to a variant."""
    uri = f"api://{new_guid()}"
    first = app_record(tenant.id, identifier_uris=(uri,))
    second = app_record(tenant.id)
    with store.transaction() as unit:
        unit.add_application(first)
        unit.add_application(second)
    squat = variants(uri)[variant]
    with pytest.raises(IdentifierUriTakenError), store.transaction() as unit:
        unit.add_application(app_record(tenant.id, identifier_uris=(squat,)))
    with pytest.raises(IdentifierUriTakenError), store.transaction() as unit:
        unit.update_application(replace(second, identifier_uris=(squat,)))
    with store.transaction() as unit:
        assert unit.find_application_by_identifier_uri(tenant.id, squat) == first
        assert unit.find_application(second.id) == second


def test_a_variant_is_free_in_another_tenant_and_for_the_same_app(store: Store, tenant: Tenant) -> None:
    """Uniqueness is per tenant, and one app may list two spellings of its own URI (Graph's app does)."""
    uri = f"api://{new_guid()}"
    elsewhere = tenant_record()
    mine = app_record(tenant.id, identifier_uris=(uri, uri + "/"))
    theirs = app_record(elsewhere.id, identifier_uris=(uri.upper(),))
    with store.transaction() as unit:
        unit.add_tenant(elsewhere)
        unit.add_application(mine)
        unit.add_application(theirs)
    with store.transaction() as unit:
        assert unit.find_application_by_identifier_uri(tenant.id, uri.upper()) == mine
        assert unit.find_application_by_identifier_uri(elsewhere.id, uri) == theirs


def test_concurrent_claims_of_one_uri_have_exactly_one_winner(store: Store, tenant: Tenant) -> None:
    """Apps created at once with variants of one URI: on PostgreSQL they may all pass the service's own check
    before any commits, and the database's unique key lets exactly one in; the others get
    `IdentifierUriTakenError` and leave nothing behind."""
    uri = f"api://{new_guid()}"
    apps = AppService(partial(store.transaction, write=True), FixedClock(NOW))
    spellings = (uri, *variants(uri))
    barrier = Barrier(len(spellings))

    def claim(spelling: str) -> str:
        barrier.wait()
        try:
            return apps.create_app(tenant.id, "Racer", identifier_uris=(spelling,)).id
        except IdentifierUriTakenError:
            return ""

    with ThreadPoolExecutor(len(spellings)) as pool:
        winners = [app_id for app_id in pool.map(claim, spellings) if app_id]
    assert len(winners) == 1
    with store.transaction() as unit:
        assert [a.id for a in unit.list_applications(tenant.id) if a.display_name == "Racer"] == winners


def test_unknown_apps_are_none(store: Store, tenant: Tenant) -> None:
    """Every finder returns None for what does not exist."""
    with store.transaction() as unit:
        assert unit.find_application(new_guid()) is None
        assert unit.find_application_by_app_id(new_guid()) is None
        assert unit.find_application_by_identifier_uri(tenant.id, "api://nothing-here") is None


def test_list_applications_is_the_tenants_apps_oldest_first(store: Store, tenant: Tenant) -> None:
    """`list_applications` returns exactly the tenant's apps, ordered by creation time."""
    later = app_record(tenant.id, NOW + timedelta(minutes=5))
    earlier = app_record(tenant.id, NOW)
    elsewhere = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(elsewhere)
        unit.add_application(later)
        unit.add_application(earlier)
        unit.add_application(app_record(elsewhere.id))
    with store.transaction() as unit:
        assert unit.list_applications(tenant.id) == [earlier, later]


def test_an_app_id_is_globally_unique(store: Store, tenant: Tenant) -> None:
    """appIds name an app across tenants, so a second app with the same appId is refused."""
    app = app_record(tenant.id)
    with store.transaction() as unit:
        unit.add_application(app)
    with pytest.raises(IntegrityError), store.transaction() as unit:
        unit.add_application(replace(app, id=new_guid()))


def test_an_identifier_uri_is_unique_within_a_tenant(store: Store, tenant: Tenant) -> None:
    """A second app exposing a taken App ID URI in the same tenant is refused and not stored."""
    uri = f"api://{new_guid()}"
    first, second = app_record(tenant.id, identifier_uris=(uri,)), app_record(tenant.id, identifier_uris=(uri,))
    with store.transaction() as unit:
        unit.add_application(first)
    with pytest.raises(Exception), store.transaction() as unit:  # noqa: B017 - any refusal will do here
        unit.add_application(second)
    with store.transaction() as unit:
        assert unit.find_application(second.id) is None
        assert unit.find_application_by_identifier_uri(tenant.id, uri) == first


def test_a_taken_identifier_uri_raises_identifier_uri_taken_error(store: Store, tenant: Tenant) -> None:
    """The Protocol's own words: "an App ID URI already used in the tenant raises `IdentifierUriTakenError`"."""
    uri = f"api://{new_guid()}"
    with store.transaction() as unit:
        unit.add_application(app_record(tenant.id, identifier_uris=(uri,)))
    with pytest.raises(IdentifierUriTakenError), store.transaction() as unit:
        unit.add_application(app_record(tenant.id, identifier_uris=(uri,)))
