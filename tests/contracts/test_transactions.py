"""`Store.transaction()` contract: all or nothing — an exception inside rolls back every write made in it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from tenantry.apps.models import AppRoleAssignment
from tenantry.common.ids import new_guid
from tenantry.store.unit_of_work import Store

from .conftest import (
    NOW,
    app_record,
    key_record,
    password_record,
    signing_key_record,
    sp_record,
    tenant_record,
)


class AbortError(Exception):
    """Raised inside a transaction to make it roll back."""


def test_an_exception_rolls_back_every_write_of_the_transaction(store: Store) -> None:
    """Tenant, app, SP, grant, secret, certificate, signing key and jti written together vanish together."""
    tenant = tenant_record()
    app = app_record(tenant.id, identifier_uris=(f"api://{new_guid()}",))
    sp = sp_record(app)
    secret, key, signing_key = password_record(app), key_record(app), signing_key_record()
    client_id, jti = new_guid(), uuid.uuid4().hex
    with pytest.raises(AbortError), store.transaction() as unit:
        unit.add_tenant(tenant)
        unit.add_application(app)
        unit.add_service_principal(sp)
        unit.add_assignment(AppRoleAssignment(new_guid(), tenant.id, sp.id, "ServicePrincipal", sp.id, new_guid(), NOW))
        unit.add_password_credential(secret)
        unit.add_key_credential(key)
        unit.add_signing_key(signing_key)
        assert unit.remember_assertion(client_id, jti, NOW + timedelta(minutes=5), NOW)
        raise AbortError
    with store.transaction() as unit:
        assert unit.find_tenant(tenant.id) is None
        assert unit.find_tenant_by_domain(tenant.domains[0]) is None
        assert unit.find_application(app.id) is None
        assert unit.find_application_by_identifier_uri(tenant.id, app.identifier_uris[0]) is None
        assert unit.find_service_principal_by_app_id(tenant.id, app.app_id) is None
        assert unit.list_assignments(tenant.id, sp.id, sp.id) == []
        assert unit.list_password_credentials(tenant.id, app.id) == []
        assert unit.list_key_credentials(tenant.id, app.id) == []
        assert signing_key.kid not in {k.kid for k in unit.list_signing_keys()}
        assert unit.remember_assertion(client_id, jti, NOW + timedelta(minutes=5), NOW)


def test_a_failed_statement_rolls_back_the_earlier_writes(store: Store) -> None:
    """A constraint violation mid-transaction (a second SP for the app) undoes what came before it."""
    tenant = tenant_record()
    app = app_record(tenant.id)
    with pytest.raises(IntegrityError), store.transaction() as unit:
        unit.add_tenant(tenant)
        unit.add_application(app)
        unit.add_service_principal(sp_record(app))
        unit.add_service_principal(sp_record(app))
    with store.transaction() as unit:
        assert unit.find_tenant(tenant.id) is None
        assert unit.find_application(app.id) is None


def test_a_committed_transaction_is_visible_to_the_next(store: Store) -> None:
    """Leaving the block normally commits; a new transaction (another pooled connection) reads the data."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    with store.transaction() as first, store.transaction() as second:
        assert first.find_tenant(tenant.id) == tenant
        assert second.find_tenant(tenant.id) == tenant


def test_rollback_covers_a_first_write_made_in_a_savepoint(store: Store) -> None:
    """`add_assignment` uses a savepoint to stay idempotent; as the first write it must still roll back."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    app = app_record(tenant.id)
    sp = sp_record(app)
    with store.transaction() as unit:
        unit.add_application(app)
        unit.add_service_principal(sp)
    with pytest.raises(AbortError), store.transaction() as unit:
        unit.add_assignment(AppRoleAssignment(new_guid(), tenant.id, sp.id, "ServicePrincipal", sp.id, new_guid(), NOW))
        unit.add_password_credential(password_record(app))
        raise AbortError
    with store.transaction() as unit:
        assert unit.list_password_credentials(tenant.id, app.id) == []
        assert unit.list_assignments(tenant.id, sp.id, sp.id) == []
