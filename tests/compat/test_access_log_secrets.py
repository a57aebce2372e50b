"""No secret handle in any log (issue 9 §3, style P3), over a whole run of the real server with `--access-log`.

One run: an interactive sign-in through the pages (authorize → username → password → "Stay signed in?"
→ consent → code → token, then a refresh), a device-code flow approved on `/devicelogin?otc=…`, and a
one-time share link created over Graph and revealed. Every secret value the clients send or receive
(flow handles, CSRF tokens, state, nonce, codes, PKCE verifier, device and user codes, tokens, cookies,
passwords, client secrets, the share token and the secret behind it) goes under the server's log guard
as it passes (httpx event hooks); afterwards the server's whole output must hold none of them, while the
access log shows the requests with `<redacted>` in their place.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import html
import os
import re
import secrets
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from signin.browser import Browser, forms_of, reply_params
from support.live_server import LiveServer, LogGuard, free_port
from tenantry.app import Services, build_services
from tenantry.apps.first_party import GRAPH_APP_ID, GRAPH_URI
from tenantry.apps.models import Application
from tenantry.config import Settings
from tenantry.directory.models import Tenant, User

pytestmark = pytest.mark.compat

DOMAIN = "logscan.example"
PASSWORD = "Log-Scan-Passw0rd!"
REDIRECT = "http://localhost"
SCOPES = "openid profile offline_access User.Read"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# What carries a secret in this run, as query or form parameter names (the test's own list).
SECRET_PARAMETERS = frozenset(
    {"flow", "csrf_token", "state", "nonce", "code", "session_state", "code_verifier", "otc", "user_code"}
    | {"device_code", "password", "client_secret", "refresh_token", "access_token", "id_token"}
)
SECRET_JSON_FIELDS = frozenset({"access_token", "refresh_token", "id_token", "device_code", "user_code"})
REVEALED = re.compile(r'<pre id="value"[^>]*><code>([^<]+)</code></pre>')


class SecretRecorder:
    """httpx event hooks putting every secret value of every request and answer under `guard`."""

    def __init__(self, guard: LogGuard) -> None:
        self.guard = guard

    def _pairs(self, where: str, pairs: Iterable[tuple[str, str]]) -> None:
        for name, value in pairs:
            if name in SECRET_PARAMETERS:
                self.guard.watch(f"{name} ({where})", value)

    def request(self, request: httpx.Request) -> None:
        """Query and form parameters, bearer tokens, and the token of a share-link path."""
        self._pairs("query", parse_qsl(request.url.query.decode()))
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            self._pairs("form", parse_qsl(request.content.decode()))
        if request.url.path.startswith("/share/"):
            self.guard.watch("share token", request.url.path.removeprefix("/share/"))
        if "authorization" in request.headers:
            self.guard.watch("bearer token", request.headers["authorization"].split()[-1])

    def response(self, response: httpx.Response) -> None:
        """Redirect parameters, cookies, hidden form fields and the secret fields of JSON answers."""
        response.read()
        if "location" in response.headers:
            location = urlsplit(response.headers["location"])
            self._pairs("redirect", parse_qsl(location.query) + parse_qsl(location.fragment))
        for cookie in response.cookies.jar:
            self.guard.watch(f"cookie {cookie.name}", cookie.value or "")
        content_type = response.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            body = response.json()
            for name, value in body.items() if isinstance(body, dict) else ():
                if name in SECRET_JSON_FIELDS:
                    self.guard.watch(f"{name} (answer)", str(value))
        elif content_type.startswith("text/html"):
            for form in forms_of(response.text):
                self._pairs("page", form.fields.items())


class NetworkBrowser(Browser):
    """The sign-in suite's form-filling browser, over the network instead of in-process."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client  # type: ignore[assignment]  # TestClient is an httpx.Client with an app


@dataclass
class Run:
    """The server, its directory (made in-process on its database) and the clients' plumbing."""

    server: LiveServer
    services: Services
    tenant: Tenant
    user: User
    desktop: Application
    daemon: Application
    daemon_secret: str
    handover: Application

    @property
    def recorder(self) -> SecretRecorder:
        """Hooks feeding the server's guard."""
        return SecretRecorder(self.server.guard)

    def client(self) -> httpx.Client:
        """An HTTP client trusting the server's CA whose traffic is recorded; no redirect is followed."""
        recorder = self.recorder
        return httpx.Client(
            base_url=self.server.base_url,
            verify=ssl.create_default_context(cafile=str(self.server.ca_path)),
            timeout=15.0,
            follow_redirects=False,
            event_hooks={"request": [recorder.request], "response": [recorder.response]},
        )

    def browser(self) -> Browser:
        """A browser with a cookie jar of its own."""
        return NetworkBrowser(self.client())

    def path(self, endpoint: str) -> str:
        """`/{tenant}/oauth2/v2.0/<endpoint>`."""
        return f"/{self.tenant.id}/oauth2/v2.0/{endpoint}"


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    """A server of its own with `--access-log`, a user, a desktop app, a Graph daemon and an app to hand over."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TENANTRY_")]:
            patch.delenv(name)
        patch.setenv("TENANTRY_HOME", str(tmp_path))
        services = build_services(Settings())
    tenant = services.directory.create_tenant("Log Scan", [DOMAIN])
    user = services.users.create_user(tenant.id, f"lena@{DOMAIN}", PASSWORD, "Lena Logs")
    desktop = services.apps.create_app(tenant.id, "Desktop", redirect_uris=(("public", REDIRECT),), public_client=True)
    daemon = services.apps.create_app(tenant.id, "Provisioner")
    daemon = services.apps.add_permission(daemon, GRAPH_APP_ID, "Application.ReadWrite.All", "Role")
    services.apps.admin_consent(daemon)
    daemon_secret = services.credentials.add_secret(daemon, "provisioning").secret_text
    handover = services.apps.create_app(tenant.id, "Handover")
    server = LiveServer(tmp_path, free_port())
    server.guard.watch("user password", PASSWORD)
    server.guard.watch("daemon secret", daemon_secret)
    server.start()
    try:
        yield Run(server, services, tenant, user, desktop, daemon, daemon_secret, handover)
    finally:
        gc.collect()
        server.stop()
        services.store.dispose()


def _consented(browser: Browser, page: httpx.Response) -> httpx.Response:
    """Accept the consent page if the flow stopped on it."""
    if page.status_code == 200 and any(form.action == "/consent" for form in forms_of(page.text)):
        return browser.to_our_pages(browser.submit(page, "/consent", answer="accept"))
    return page


def _sign_in_with_code(run: Run, http: httpx.Client) -> dict[str, Any]:
    """Authorization code with PKCE through the pages, redeemed, then refreshed once."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    request = {
        "client_id": run.desktop.app_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": SCOPES,
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    browser = run.browser()
    start = browser.get(run.path("authorize"), params=request)
    assert start.headers["location"].startswith("/login?flow="), start.text[:300]
    answer = _consented(browser, browser.to_our_pages(browser.sign_in(start, run.user.user_principal_name, PASSWORD)))
    reply = reply_params(answer, REDIRECT)
    assert reply["state"] == request["state"]
    redeemed = http.post(
        run.path("token"),
        data={
            "grant_type": "authorization_code",
            "client_id": run.desktop.app_id,
            "code": reply["code"],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "scope": SCOPES,
        },
    )
    assert redeemed.status_code == 200, redeemed.text
    refreshed = http.post(
        run.path("token"),
        data={
            "grant_type": "refresh_token",
            "client_id": run.desktop.app_id,
            "refresh_token": redeemed.json()["refresh_token"],
            "scope": SCOPES,
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    return dict(refreshed.json())


def _device_code(run: Run, http: httpx.Client) -> None:
    """RFC 8628: the device asks for a code, a browser approves it on /devicelogin?otc=…, the device redeems."""
    started = http.post(run.path("devicecode"), data={"client_id": run.desktop.app_id, "scope": SCOPES})
    assert started.status_code == 200, started.text
    device = started.json()
    browser = run.browser()
    entry = browser.get("/devicelogin", params={"otc": device["user_code"]})
    assert entry.status_code == 200
    pages = browser.submit(entry, "/devicelogin", user_code=device["user_code"])
    done = _consented(browser, browser.to_our_pages(browser.sign_in(pages, run.user.user_principal_name, PASSWORD)))
    assert "You're signed in" in done.text, done.text[:500]
    redeemed = http.post(
        run.path("token"),
        data={"grant_type": DEVICE_GRANT, "client_id": run.desktop.app_id, "device_code": device["device_code"]},
    )
    assert redeemed.status_code == 200, redeemed.text


def _share_link(run: Run, http: httpx.Client) -> None:
    """A Graph daemon adds a secret behind a one-time link; a browser opens the link and reveals the secret."""
    token = http.post(
        run.path("token"),
        data={
            "grant_type": "client_credentials",
            "client_id": run.daemon.app_id,
            "client_secret": run.daemon_secret,
            "scope": f"{GRAPH_URI}/.default",
        },
    )
    assert token.status_code == 200, token.text
    created = http.post(
        f"/v1.0/applications/{run.handover.id}/tenantry.addPasswordShareLink",
        json={},
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
    )
    assert created.status_code == 200, created.text
    path = urlsplit(created.json()["tenantryShareLink"]).path
    run.server.guard.watch("share token", path.removeprefix("/share/"))
    browser = run.browser()
    assert browser.get(path).status_code == 200
    revealed = browser.post(path, data={})
    found = REVEALED.search(revealed.text)
    assert revealed.status_code == 200 and found is not None, revealed.text[:500]
    run.server.guard.watch("shared client secret", html.unescape(found.group(1)))


def test_a_full_run_leaves_no_secret_in_the_server_output(run: Run) -> None:
    """Sign-in, device code and share link, then the scan: the access log has every request, each
    secret replaced by `<redacted>`, and no watched value appears anywhere in the output."""
    with run.client() as http:
        tokens = _sign_in_with_code(run, http)
        _device_code(run, http)
        _share_link(run, http)
    assert {"access_token", "refresh_token", "id_token"} <= set(tokens)
    gc.collect()
    run.server.stop()
    output = run.server.output()

    guard = run.server.guard
    kinds = {label.split(" (")[0] for label in guard.labels()}
    # Labelled where first seen: the otc is the user_code, the bearer token an access_token.
    expected = {"flow", "csrf_token", "state", "nonce", "code", "code_verifier", "user_code", "device_code"}
    expected |= {"refresh_token", "access_token", "id_token", "share token", "shared client secret"}
    expected |= {"user password", "daemon secret"}
    assert expected <= kinds, f"never watched: {sorted(expected - kinds)}"
    leaks = guard.leaks(output)
    assert not leaks, f"the server logged {len(leaks)} secret value(s): {', '.join(leaks)}"
    for logged in (
        '"GET /share/<redacted> HTTP/1.1" 200',
        '"POST /share/<redacted> HTTP/1.1" 200',
        '"GET /login?flow=<redacted> HTTP/1.1" 200',
        '"GET /devicelogin?otc=<redacted> HTTP/1.1" 200',
        "/oauth2/v2.0/authorize/resume?flow=<redacted> HTTP/1.1",
        "&state=<redacted>&nonce=<redacted>&",
        '/oauth2/v2.0/token HTTP/1.1" 200',
    ):
        assert logged in output, f"the access log lacks {logged!r}:\n{output[-3000:]}"
