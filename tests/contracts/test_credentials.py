"""`CredentialRepository` contract: secrets (hash + hint) and certificates of an app, bytes and times intact."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta, timezone

import pytest

from tenantry.apps.models import Application
from tenantry.common.ids import new_guid
from tenantry.store.unit_of_work import Store

from .conftest import NOW, app_record, key_record, password_record, tenant_record

# Offsets east and west of UTC, including a half-hour one.
OFFSETS = (timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)))


@pytest.fixture
def app(store: Store) -> Application:
    """An app in a tenant of the test's own."""
    tenant = tenant_record()
    app = app_record(tenant.id)
    with store.transaction() as unit:
        unit.add_tenant(tenant)
        unit.add_application(app)
    return app


def test_password_credentials_round_trip_oldest_first(store: Store, app: Application) -> None:
    """Added secrets list back equal (hash bytes, hint, aware UTC times), ordered by start, expired ones too."""
    expired = password_record(app, NOW - timedelta(days=400), days=30)
    newer = password_record(app, NOW + timedelta(seconds=1))
    current = password_record(app, NOW)
    with store.transaction() as unit:
        for credential in (newer, expired, current):
            unit.add_password_credential(credential)
    with store.transaction() as unit:
        listed = unit.list_password_credentials(app.tenant_id, app.id)
    assert listed == [expired, current, newer]
    assert all(type(c.secret_hash) is bytes for c in listed)
    assert all(c.start.tzinfo is not None and c.end.utcoffset() == timedelta(0) for c in listed)


def test_key_credentials_round_trip_oldest_first(store: Store, app: Application) -> None:
    """Added certificates list back equal: DER and both thumbprints byte for byte, type, usage, times."""
    expired = key_record(app, NOW - timedelta(days=400), days=30)
    current = key_record(app, NOW)
    with store.transaction() as unit:
        unit.add_key_credential(current)
        unit.add_key_credential(expired)
    with store.transaction() as unit:
        listed = unit.list_key_credentials(app.tenant_id, app.id)
    assert listed == [expired, current]
    assert all(type(k.cert_der) is bytes and type(k.thumbprint_sha1) is bytes for k in listed)


def test_remove_deletes_one_credential_and_reports_it(store: Store, app: Application) -> None:
    """`remove_*` returns True once, then False; the other credentials stay."""
    secrets = [password_record(app), password_record(app, NOW + timedelta(seconds=1))]
    keys = [key_record(app), key_record(app, NOW + timedelta(seconds=1))]
    with store.transaction() as unit:
        for secret in secrets:
            unit.add_password_credential(secret)
        for key in keys:
            unit.add_key_credential(key)
    with store.transaction() as unit:
        assert unit.remove_password_credential(app.tenant_id, app.id, secrets[0].key_id)
        assert unit.remove_key_credential(app.tenant_id, app.id, keys[1].key_id)
    with store.transaction() as unit:
        assert not unit.remove_password_credential(app.tenant_id, app.id, secrets[0].key_id)
        assert not unit.remove_key_credential(app.tenant_id, app.id, keys[1].key_id)
        assert unit.list_password_credentials(app.tenant_id, app.id) == [secrets[1]]
        assert unit.list_key_credentials(app.tenant_id, app.id) == [keys[0]]


def test_remove_needs_the_owning_app(store: Store, app: Application) -> None:
    """A keyId removes nothing when paired with another app, and an unknown keyId removes nothing."""
    other = app_record(app.tenant_id)
    secret, key = password_record(app), key_record(app)
    with store.transaction() as unit:
        unit.add_application(other)
        unit.add_password_credential(secret)
        unit.add_key_credential(key)
    with store.transaction() as unit:
        assert not unit.remove_password_credential(other.tenant_id, other.id, secret.key_id)
        assert not unit.remove_key_credential(other.tenant_id, other.id, key.key_id)
        assert not unit.remove_password_credential(app.tenant_id, app.id, new_guid())
        assert not unit.remove_key_credential(app.tenant_id, app.id, new_guid())
    with store.transaction() as unit:
        assert unit.list_password_credentials(app.tenant_id, app.id) == [secret]
        assert unit.list_key_credentials(app.tenant_id, app.id) == [key]


def test_an_app_without_credentials_lists_none(store: Store, app: Application) -> None:
    """Empty lists, not None, for an app with no credentials."""
    with store.transaction() as unit:
        assert unit.list_password_credentials(app.tenant_id, app.id) == []
        assert unit.list_key_credentials(app.tenant_id, app.id) == []


@pytest.mark.parametrize("offset", OFFSETS, ids=["plus0530", "minus0800"])
def test_times_with_any_utc_offset_come_back_as_the_same_instant(
    store: Store, app: Application, offset: timezone
) -> None:
    """A validity window given in a non-UTC offset (`--end-date 2031-01-01T00:00+05:30`) keeps its instants."""
    secret = password_record(app)
    secret = replace(secret, start=secret.start.astimezone(offset), end=secret.end.astimezone(offset))
    key = key_record(app)
    key = replace(key, start=key.start.astimezone(offset), end=key.end.astimezone(offset))
    with store.transaction() as unit:
        unit.add_password_credential(secret)
        unit.add_key_credential(key)
    with store.transaction() as unit:
        (stored_secret,) = unit.list_password_credentials(app.tenant_id, app.id)
        (stored_key,) = unit.list_key_credentials(app.tenant_id, app.id)
    assert (stored_secret.start, stored_secret.end) == (secret.start, secret.end)
    assert (stored_key.start, stored_key.end) == (key.start, key.end)
    assert stored_secret.end.tzinfo == UTC
