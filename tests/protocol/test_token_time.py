"""Time-dependent client-credentials rules, run against a server whose clock the test moves.

Certificates and secrets expire while the server runs (AADSTS700027, 7000222), and client
assertions are accepted within ±300 s of clock skew and refused beyond it (AADSTS500133).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tenantry.app import build_services, create_app
from tenantry.common.clock import FixedClock
from tenantry.config import Settings

from .conftest import (
    BASE_URL,
    Certificate,
    Client,
    Factory,
    Sensitive,
    TestClient,
    TokenPoster,
    assert_entra_error,
    assertion_form,
    make_assertion,
    make_certificate,
    message_of,
    secret_form,
)

START = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
API_URI = "api://frozen/api"


@dataclass(frozen=True)
class Frozen:
    """A server on a fixed clock, with one API and one client holding a one-hour secret and certificate."""

    clock: FixedClock
    token: TokenPoster
    client: Client
    cert: Certificate
    path: str

    @property
    def url(self) -> str:
        """The token endpoint URL for assertions' `aud`."""
        return BASE_URL + self.path

    def assertion(self, *, now: datetime | None = None, **claims: float) -> dict[str, str]:
        """A private_key_jwt form issued at `now` (default: the server's clock) with `claims` overriding."""
        text = make_assertion(
            self.cert, self.client.client_id, self.url, now=now or self.clock.now(), claims=claims or None
        )
        return assertion_form(self.client.client_id, text, scope=f"{API_URI}/.default")


@pytest.fixture
def frozen(tmp_path: Path, sensitive: Sensitive) -> Iterator[Frozen]:
    """A fresh server whose clock stands at START until a test advances it."""
    clock = FixedClock(START)
    services = build_services(Settings(home=tmp_path), clock=clock)
    factory = Factory(services, sensitive)
    tenant = factory.tenant("Frozen", ["frozen.example"])
    factory.api(tenant, "Frozen API", API_URI)
    app = factory.client(tenant, "Frozen daemon", secret=False).app
    client = Client(app, factory.secret(app, end=START + timedelta(hours=1)))
    cert = make_certificate("frozen", not_before=START - timedelta(minutes=10), lifetime=timedelta(hours=1))
    factory.certificate(client.app, cert)
    with TestClient(create_app(services, public_url=BASE_URL), base_url=BASE_URL) as http:
        yield Frozen(clock, TokenPoster(http, sensitive), client, cert, f"/{tenant.id}/oauth2/v2.0/token")


def test_secret_expires_while_the_server_runs(frozen: Frozen) -> None:
    """A secret works until its end date; afterwards the same secret is AADSTS7000222."""
    form = secret_form(frozen.client, scope=f"{API_URI}/.default")
    assert frozen.token(frozen.path, form).status_code == 200
    frozen.clock.advance(2 * 3600)
    assert_entra_error(frozen.token(frozen.path, form), 7000222, 401, "invalid_client")


def test_expired_certificate_is_refused(frozen: Frozen) -> None:
    """A certificate past its notAfter no longer verifies assertions (AADSTS700027), even if well signed."""
    assert frozen.token(frozen.path, frozen.assertion()).status_code == 200
    frozen.clock.advance(2 * 3600)
    body = assert_entra_error(frozen.token(frozen.path, frozen.assertion()), 700027, 401, "invalid_client")
    assert "expired" in message_of(body)


@pytest.mark.parametrize(
    ("claims", "accepted"),
    [
        ({"exp": -299}, True),
        ({"exp": -301}, False),
        ({"nbf": 299, "exp": 900}, True),
        ({"nbf": 301, "exp": 900}, False),
    ],
    ids=["exp-299s-ago", "exp-301s-ago", "nbf-in-299s", "nbf-in-301s"],
)
def test_assertion_clock_skew(frozen: Frozen, claims: dict[str, int], accepted: bool) -> None:
    """`exp` and `nbf` get 300 s of skew: inside is accepted, a second beyond is AADSTS500133."""
    now = frozen.clock.now().timestamp()
    form = frozen.assertion(iat=now - 600, **{name: now + offset for name, offset in claims.items()})
    response = frozen.token(frozen.path, form)
    if accepted:
        assert response.status_code == 200, response.text
    else:
        assert_entra_error(response, 500133, 400, "invalid_grant")
