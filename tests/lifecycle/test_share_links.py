"""One-time share links (issue 4 §6): GET shows a confirmation and never reveals; the POST reveals the value
exactly once; afterwards, after the TTL or once the credential is deleted the link answers 410 Gone. The
value is stored only sealed with the master key and never reaches a log."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from tenantry.app import Services, create_app, credential_lifecycle
from tenantry.apps.models import Application
from tenantry.audit.events import AuditActivity
from tenantry.common.clock import FixedClock
from tenantry.credentials.errors import CredentialError
from tenantry.credentials.share_links import ShareLinkGoneError, ShareLinkService, token_hash
from tenantry.directory.models import Tenant

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

BASE_URL = "https://localhost:8443"
CORRELATION_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """The app over the test's services."""
    with TestClient(create_app(services, public_url=BASE_URL), base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def links(services: Services) -> ShareLinkService:
    """The share-link service as the CLI and Graph get it."""
    return credential_lifecycle(services).share_links


def _share(
    services: Services, links: ShareLinkService, app: Application, ttl: timedelta = timedelta(hours=24)
) -> tuple[str, str]:
    """A new secret and the path of its link."""
    new = services.credentials.add_secret(app, "handover")
    link = links.create_share_link(app, new.credential.key_id, new.secret_text, base_url=BASE_URL, ttl=ttl)
    assert link.url.startswith(f"{BASE_URL}/share/")
    assert link.expires_at == services.clock.now() + ttl
    return new.secret_text, link.url.removeprefix(BASE_URL)


def test_link_reveals_once_then_410(
    services: Services, links: ShareLinkService, client: TestClient, caplog: pytest.LogCaptureFixture, app: Application
) -> None:
    """GET (twice, as a link preview would) shows only a Reveal button; the POST shows the secret (audited
    under the request's correlation id); a second POST and any later GET answer 410 Gone. No log line
    carries the secret."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    secret, path = _share(services, links, app)
    for _ in range(2):
        page = client.get(path)
        assert page.status_code == 200
        assert "Reveal" in page.text
        assert '<form method="post">' in page.text
        assert secret not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in page.headers["x-robots-tag"]
    revealed = client.post(path, headers={"client-request-id": CORRELATION_ID})
    assert revealed.status_code == 200
    assert secret in revealed.text
    assert revealed.headers["cache-control"] == "no-store"
    again = client.post(path)
    assert again.status_code == 410
    assert secret not in again.text
    assert "no longer valid" in again.text
    assert client.get(path).status_code == 410
    with services.store.transaction() as unit:
        [record] = [r for r in unit.list_audit_records(app.tenant_id) if r.correlation_id == CORRELATION_ID]
    assert record.activity == AuditActivity.SECRET_SHARE_LINK_REVEALED
    assert record.actor.id == "share-link"
    assert secret not in caplog.text
    assert all(secret not in repr(r.args) for r in caplog.records)


def test_expired_link_is_410(
    services: Services, links: ShareLinkService, client: TestClient, clock: FixedClock, app: Application
) -> None:
    """After its TTL a link that was never opened is gone, for GET and POST alike."""
    _, path = _share(services, links, app, ttl=timedelta(hours=1))
    clock.advance(timedelta(hours=1).total_seconds())
    assert client.get(path).status_code == 410
    assert client.post(path).status_code == 410


def test_link_of_a_deleted_secret_is_410_and_unknown_links_404(
    services: Services, links: ShareLinkService, client: TestClient, app: Application
) -> None:
    """A secret deleted before the hand-over is not revealed; a token nobody issued is a 404."""
    _, path = _share(services, links, app)
    secrets, _ = services.credentials.list_credentials(app)
    assert services.credentials.delete_credential(app, secrets[0].key_id)
    assert client.post(path).status_code == 410
    assert client.get("/share/not-a-real-token").status_code == 404
    assert client.post("/share/not-a-real-token").status_code == 404


def test_stored_sealed_and_revealed_once_under_concurrency(
    services: Services, links: ShareLinkService, tenant: Tenant, app: Application
) -> None:
    """The row holds the token's hash and the sealed value, never either in clear; four simultaneous reveals
    give the value to exactly one; creation and reveal are audited."""
    secret, path = _share(services, links, app)
    token = path.removeprefix("/share/")
    with services.store.transaction() as unit:
        stored = unit.find_share_link(token_hash(token))
    assert stored is not None
    assert secret.encode() not in stored.sealed_secret
    assert token.encode() not in stored.token_hash

    def attempt(_: int) -> str | None:
        try:
            return links.reveal(token).value
        except ShareLinkGoneError:
            return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(attempt, range(4)))
    assert results.count(secret) == 1
    assert results.count(None) == 3
    with services.store.transaction() as unit:
        activities = [r.activity for r in unit.list_audit_records(tenant.id)]
    assert activities.count(AuditActivity.SECRET_SHARE_LINK_CREATED) == 1
    assert activities.count(AuditActivity.SECRET_SHARE_LINK_REVEALED) == 1


def test_ttl_is_bounded(services: Services, links: ShareLinkService, app: Application) -> None:
    """A link lives between one minute and seven days."""
    new = services.credentials.add_secret(app)
    for ttl in (timedelta(seconds=30), timedelta(days=8)):
        with pytest.raises(CredentialError):
            links.create_share_link(app, new.credential.key_id, new.secret_text, base_url=BASE_URL, ttl=ttl)
