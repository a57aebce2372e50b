"""`LifecycleRepository` contract: credential policies, expiry warnings (once per horizon), the webhook
outbox (idempotent, due-time ordered) and one-time share links (atomic reveal)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from threading import Barrier

import pytest
from sqlalchemy.exc import IntegrityError

from tenantry.apps.models import Application
from tenantry.common.ids import new_guid
from tenantry.credentials.lifecycle import CredentialPolicy, ExpiryWarning, ShareLink, WebhookDelivery
from tenantry.directory.models import Tenant
from tenantry.store.unit_of_work import Store

from .conftest import NOW, app_record, tenant_record

IST = timezone(timedelta(hours=5, minutes=30))
FAR_FUTURE = datetime(2999, 1, 1, tzinfo=UTC)


@pytest.fixture
def app(store: Store) -> Application:
    """An app in a tenant of the test's own."""
    tenant = tenant_record()
    app = app_record(tenant.id)
    with store.transaction() as unit:
        unit.add_tenant(tenant)
        unit.add_application(app)
    return app


@pytest.fixture
def other_tenant(store: Store) -> Tenant:
    """A second tenant, for isolation checks."""
    tenant = tenant_record()
    with store.transaction() as unit:
        unit.add_tenant(tenant)
    return tenant


# --- Credential policy ----------------------------------------------------------------------------


def test_no_policy_until_one_is_saved(store: Store, app: Application) -> None:
    """A tenant that never set a policy has none."""
    with store.transaction() as unit:
        assert unit.find_credential_policy(app.tenant_id) is None


@pytest.mark.parametrize(
    "lifetime", [timedelta(days=90), timedelta(days=730, hours=1, seconds=1), None], ids=["90d", "mixed", "none"]
)
def test_a_policy_round_trips(store: Store, app: Application, lifetime: timedelta | None) -> None:
    """The saved lifetime (whole seconds, or no limit) comes back equal."""
    policy = CredentialPolicy(app.tenant_id, lifetime)
    with store.transaction() as unit:
        unit.save_credential_policy(policy)
    with store.transaction() as unit:
        assert unit.find_credential_policy(app.tenant_id) == policy


def test_saving_again_replaces_the_policy(store: Store, app: Application, other_tenant: Tenant) -> None:
    """A second save replaces the tenant's policy (also back to no limit); other tenants keep theirs."""
    theirs = CredentialPolicy(other_tenant.id, timedelta(days=30))
    with store.transaction() as unit:
        unit.save_credential_policy(theirs)
        unit.save_credential_policy(CredentialPolicy(app.tenant_id, timedelta(days=90)))
    with store.transaction() as unit:
        unit.save_credential_policy(CredentialPolicy(app.tenant_id, timedelta(days=180)))
    with store.transaction() as unit:
        assert unit.find_credential_policy(app.tenant_id) == CredentialPolicy(app.tenant_id, timedelta(days=180))
        unit.save_credential_policy(CredentialPolicy(app.tenant_id, None))
    with store.transaction() as unit:
        assert unit.find_credential_policy(app.tenant_id) == CredentialPolicy(app.tenant_id, None)
        assert unit.find_credential_policy(other_tenant.id) == theirs


# --- Expiry warnings ------------------------------------------------------------------------------


def test_each_horizon_warns_once(store: Store, app: Application) -> None:
    """The first warning of a credential at a horizon is recorded (True), a repeat is not (False, the
    transaction goes on), and other horizons are independent; the list has aware UTC times."""
    key_id = new_guid()
    thirty = ExpiryWarning(app.tenant_id, key_id, 30, NOW.astimezone(IST))
    seven = ExpiryWarning(app.tenant_id, key_id, 7, NOW + timedelta(days=23))
    with store.transaction() as unit:
        assert unit.record_expiry_warning(thirty)
    with store.transaction() as unit:
        assert not unit.record_expiry_warning(replace(thirty, sent_at=NOW + timedelta(hours=1)))
        assert unit.record_expiry_warning(seven)
    with store.transaction() as unit:
        listed = unit.list_expiry_warnings(app.tenant_id, key_id)
        assert listed == [replace(thirty, sent_at=NOW), seven]
        assert all(w.sent_at.tzinfo is UTC for w in listed)
        assert unit.list_expiry_warnings(app.tenant_id, new_guid()) == []


def test_expiry_warnings_are_per_tenant(store: Store, app: Application, other_tenant: Tenant) -> None:
    """A warning in one tenant neither blocks nor shows up in another tenant for the same keyId."""
    key_id = new_guid()
    mine = ExpiryWarning(app.tenant_id, key_id, 30, NOW)
    theirs = ExpiryWarning(other_tenant.id, key_id, 30, NOW)
    with store.transaction() as unit:
        assert unit.record_expiry_warning(mine)
        assert unit.record_expiry_warning(theirs)
    with store.transaction() as unit:
        assert unit.list_expiry_warnings(app.tenant_id, key_id) == [mine]
        assert unit.list_expiry_warnings(other_tenant.id, key_id) == [theirs]


def test_a_warning_for_an_unknown_tenant_is_an_integrity_error(store: Store) -> None:
    """Only a repeat becomes False; a missing tenant (foreign key) still raises."""
    with pytest.raises(IntegrityError), store.transaction() as unit:
        unit.record_expiry_warning(ExpiryWarning(new_guid(), new_guid(), 30, NOW))


# --- Webhook outbox -------------------------------------------------------------------------------


@pytest.fixture
def outbox(store: Store) -> Iterator[None]:
    """An empty outbox: the outbox is instance-wide, so deliveries other tests left pending are marked delivered."""
    with store.transaction() as unit:
        for pending in unit.due_webhooks(FAR_FUTURE, 100_000):
            unit.update_webhook(replace(pending, delivered_at=NOW))
    yield


def delivery(tenant_id: str, created: int, due: int | None = None, key: str | None = None) -> WebhookDelivery:
    """A delivery created `created` seconds after NOW and first due `due` seconds after NOW (default: at once)."""
    return WebhookDelivery(
        id=new_guid(),
        tenant_id=tenant_id,
        idempotency_key=key or f"credential.expiring:{new_guid()}:30",
        payload={"event": "credential.expiring", "keyId": new_guid(), "days": 30, "app": {"name": "Payroll ✓"}},
        created_at=NOW + timedelta(seconds=created),
        next_attempt_at=NOW + timedelta(seconds=created if due is None else due),
    )


@pytest.mark.usefixtures("outbox")
def test_a_delivery_round_trips(store: Store, app: Application) -> None:
    """An enqueued delivery comes back from `due_webhooks` equal: JSON payload, attempts, aware UTC times."""
    queued = delivery(app.tenant_id, 0)
    with store.transaction() as unit:
        assert unit.enqueue_webhook(replace(queued, created_at=queued.created_at.astimezone(IST)))
    with store.transaction() as unit:
        (due,) = unit.due_webhooks(NOW, 10)
    assert due == queued
    assert due.created_at.tzinfo is UTC and due.next_attempt_at.tzinfo is UTC


@pytest.mark.usefixtures("outbox")
def test_an_idempotency_key_enqueues_once_per_tenant(store: Store, app: Application, other_tenant: Tenant) -> None:
    """A second delivery with the same key (another id, another payload) is refused with False, and the
    transaction goes on; another tenant may use the same key."""
    first = delivery(app.tenant_id, 0, key="credential.expiring:k1:30")
    again = replace(delivery(app.tenant_id, 1, key=first.idempotency_key), payload={"other": True})
    theirs = delivery(other_tenant.id, 2, key=first.idempotency_key)
    with store.transaction() as unit:
        assert unit.enqueue_webhook(first)
    with store.transaction() as unit:
        assert not unit.enqueue_webhook(again)
        assert unit.enqueue_webhook(theirs)
    with store.transaction() as unit:
        assert unit.due_webhooks(NOW + timedelta(minutes=1), 10) == [first, theirs]


@pytest.mark.usefixtures("outbox")
def test_a_delivery_for_an_unknown_tenant_is_an_integrity_error(store: Store) -> None:
    """Only a repeated key becomes False; a missing tenant (foreign key) still raises."""
    with pytest.raises(IntegrityError), store.transaction() as unit:
        unit.enqueue_webhook(delivery(new_guid(), 0))


@pytest.mark.usefixtures("outbox")
def test_due_webhooks_are_the_undelivered_due_ones_oldest_first(store: Store, app: Application) -> None:
    """Only undelivered deliveries with `next_attempt_at <= now` are due (exactly now included), ordered by
    creation regardless of due time, across tenants, at most `limit` of them."""
    retried = delivery(app.tenant_id, 0, due=50)  # oldest, but retried with back-off
    fresh = delivery(app.tenant_id, 10)
    at_now = delivery(app.tenant_id, 20, due=60)
    later = delivery(app.tenant_id, 30, due=61)
    done = replace(delivery(app.tenant_id, 5), delivered_at=NOW + timedelta(seconds=6))
    with store.transaction() as unit:
        for d in (later, done, at_now, fresh, retried):
            assert unit.enqueue_webhook(d)
    with store.transaction() as unit:
        assert unit.due_webhooks(NOW + timedelta(seconds=60), 10) == [retried, fresh, at_now]
        assert unit.due_webhooks(NOW + timedelta(seconds=60), 2) == [retried, fresh]
        assert unit.due_webhooks(NOW + timedelta(seconds=49), 10) == [fresh]
        assert unit.due_webhooks(NOW - timedelta(seconds=1), 10) == []


@pytest.mark.usefixtures("outbox")
def test_update_webhook_records_progress(store: Store, app: Application) -> None:
    """A failed attempt (attempts, back-off, error) is stored; once delivered, the delivery is never due again."""
    queued = delivery(app.tenant_id, 0)
    with store.transaction() as unit:
        unit.enqueue_webhook(queued)
    failed = replace(queued, attempts=1, next_attempt_at=NOW + timedelta(minutes=5), last_error="HTTP 503 – ✗")
    with store.transaction() as unit:
        unit.update_webhook(failed)
    with store.transaction() as unit:
        assert unit.due_webhooks(NOW + timedelta(minutes=4), 10) == []
        assert unit.due_webhooks(NOW + timedelta(minutes=5), 10) == [failed]
        unit.update_webhook(replace(failed, attempts=2, delivered_at=NOW + timedelta(minutes=5)))
    with store.transaction() as unit:
        assert unit.due_webhooks(FAR_FUTURE, 10) == []


@pytest.mark.usefixtures("outbox")
def test_update_webhook_is_scoped_to_the_tenant(store: Store, app: Application, other_tenant: Tenant) -> None:
    """An update naming the wrong tenant changes nothing."""
    queued = delivery(app.tenant_id, 0)
    with store.transaction() as unit:
        unit.enqueue_webhook(queued)
        unit.update_webhook(replace(queued, tenant_id=other_tenant.id, delivered_at=NOW))
    with store.transaction() as unit:
        assert unit.due_webhooks(NOW, 10) == [queued]


# --- Share links ----------------------------------------------------------------------------------


def share_link(app: Application) -> ShareLink:
    """A link to a new secret of `app`; hash and sealed bytes hold NUL and high bytes."""
    return ShareLink(
        token_hash=b"\x00\xff" + os.urandom(30),
        tenant_id=app.tenant_id,
        application_id=app.id,
        key_id=new_guid(),
        sealed_secret=b"\x00" + os.urandom(80),
        created_at=NOW,
        expires_at=NOW + timedelta(days=7),
    )


def test_a_share_link_round_trips(store: Store, app: Application) -> None:
    """A link found by its token hash equals what was added (bytes, aware UTC times); unknown hashes find none."""
    link = share_link(app)
    with store.transaction() as unit:
        unit.add_share_link(replace(link, expires_at=link.expires_at.astimezone(IST)))
    with store.transaction() as unit:
        found = unit.find_share_link(link.token_hash)
        assert unit.find_share_link(os.urandom(32)) is None
    assert found == link
    assert type(found.sealed_secret) is bytes and found.expires_at.tzinfo is UTC


def test_a_share_link_reveals_once(store: Store, app: Application) -> None:
    """The first reveal sets `revealed_at`, erases the sealed value and returns True; a second (even later)
    returns False and keeps the first time; revealing an unknown link returns False."""
    link = share_link(app)
    with store.transaction() as unit:
        unit.add_share_link(link)
    with store.transaction() as unit:
        assert unit.reveal_share_link(link.token_hash, (NOW + timedelta(minutes=1)).astimezone(IST))
    with store.transaction() as unit:
        assert not unit.reveal_share_link(link.token_hash, NOW + timedelta(minutes=2))
        assert not unit.reveal_share_link(os.urandom(32), NOW)
        revealed = replace(link, revealed_at=NOW + timedelta(minutes=1), sealed_secret=b"")
        assert unit.find_share_link(link.token_hash) == revealed  # the sealed secret is erased


def test_concurrent_reveals_have_exactly_one_winner(store: Store, app: Application) -> None:
    """Reveals racing in separate write transactions: exactly one returns True (compare-and-set)."""
    link = share_link(app)
    with store.transaction() as unit:
        unit.add_share_link(link)
    racers = 4
    barrier = Barrier(racers)

    def reveal(_: int) -> bool:
        barrier.wait()
        with store.transaction(write=True) as unit:
            return unit.reveal_share_link(link.token_hash, NOW)

    with ThreadPoolExecutor(racers) as pool:
        assert sorted(pool.map(reveal, range(racers))) == [False] * (racers - 1) + [True]


def test_share_links_go_with_their_application(store: Store, app: Application) -> None:
    """A link of an application that does not exist is refused (foreign key)."""
    with pytest.raises(IntegrityError), store.transaction() as unit:
        unit.add_share_link(replace(share_link(app), application_id=new_guid()))
