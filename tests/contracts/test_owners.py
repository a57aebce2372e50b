"""`OwnerRepository` contract: owners (users or service principals) of a tenant's app registrations."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from tenantry.apps.models import Application
from tenantry.common.ids import new_guid
from tenantry.store.unit_of_work import Store

from .conftest import app_record, tenant_record


@pytest.fixture
def app(store: Store) -> Application:
    """An app in a tenant of the test's own."""
    tenant = tenant_record()
    app = app_record(tenant.id)
    with store.transaction() as unit:
        unit.add_tenant(tenant)
        unit.add_application(app)
    return app


def test_owners_list_back_with_their_type(store: Store, app: Application) -> None:
    """Added owners list back as (id, type) pairs, ordered by id; an app without owners lists none."""
    user, sp = new_guid(), new_guid()
    with store.transaction() as unit:
        unit.add_owner(app.tenant_id, app.id, user, "User")
        unit.add_owner(app.tenant_id, app.id, sp, "ServicePrincipal")
    with store.transaction() as unit:
        assert unit.list_owners(app.tenant_id, app.id) == sorted([(user, "User"), (sp, "ServicePrincipal")])
        assert unit.list_owners(app.tenant_id, new_guid()) == []


def test_adding_an_owner_twice_is_a_no_op(store: Store, app: Application) -> None:
    """The second `add_owner` changes nothing and does not break the caller's transaction."""
    user, later = new_guid(), new_guid()
    with store.transaction() as unit:
        unit.add_owner(app.tenant_id, app.id, user, "User")
    with store.transaction() as unit:
        unit.add_owner(app.tenant_id, app.id, user, "User")
        unit.add_owner(app.tenant_id, app.id, later, "User")
    with store.transaction() as unit:
        assert unit.list_owners(app.tenant_id, app.id) == sorted([(user, "User"), (later, "User")])


def test_an_unknown_application_is_an_integrity_error(store: Store, app: Application) -> None:
    """Only a duplicate is ignored: owning an application that does not exist (foreign key) raises."""
    with pytest.raises(IntegrityError), store.transaction() as unit:
        unit.add_owner(app.tenant_id, new_guid(), new_guid(), "User")


def test_owned_application_ids(store: Store, app: Application) -> None:
    """`list_owned_application_ids` lists every app the principal owns (ordered by id), and only those."""
    second, unowned = app_record(app.tenant_id), app_record(app.tenant_id)
    user, other = new_guid(), new_guid()
    with store.transaction() as unit:
        unit.add_application(second)
        unit.add_application(unowned)
        unit.add_owner(app.tenant_id, app.id, user, "User")
        unit.add_owner(app.tenant_id, second.id, user, "User")
        unit.add_owner(app.tenant_id, unowned.id, other, "User")
    with store.transaction() as unit:
        assert unit.list_owned_application_ids(app.tenant_id, user) == sorted([app.id, second.id])
        assert unit.list_owned_application_ids(app.tenant_id, other) == [unowned.id]
        assert unit.list_owned_application_ids(app.tenant_id, new_guid()) == []


def test_remove_reports_whether_it_removed(store: Store, app: Application) -> None:
    """`remove_owner` returns True once, then False; other owners and other apps' ownerships stay."""
    user, kept = new_guid(), new_guid()
    second = app_record(app.tenant_id)
    with store.transaction() as unit:
        unit.add_application(second)
        unit.add_owner(app.tenant_id, app.id, user, "User")
        unit.add_owner(app.tenant_id, app.id, kept, "ServicePrincipal")
        unit.add_owner(app.tenant_id, second.id, user, "User")
    with store.transaction() as unit:
        assert unit.remove_owner(app.tenant_id, app.id, user)
    with store.transaction() as unit:
        assert not unit.remove_owner(app.tenant_id, app.id, user)
        assert not unit.remove_owner(app.tenant_id, app.id, new_guid())
        assert unit.list_owners(app.tenant_id, app.id) == [(kept, "ServicePrincipal")]
        assert unit.list_owned_application_ids(app.tenant_id, user) == [second.id]


def test_tenants_are_isolated(store: Store, app: Application) -> None:
    """Through another tenant's scope an app's owners are invisible and cannot be removed."""
    other = tenant_record()
    user = new_guid()
    with store.transaction() as unit:
        unit.add_tenant(other)
        unit.add_owner(app.tenant_id, app.id, user, "User")
    with store.transaction() as unit:
        assert unit.list_owners(other.id, app.id) == []
        assert unit.list_owned_application_ids(other.id, user) == []
        assert not unit.remove_owner(other.id, app.id, user)
        assert unit.list_owners(app.tenant_id, app.id) == [(user, "User")]
