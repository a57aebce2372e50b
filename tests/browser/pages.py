"""Page objects for the browser suite: the sign-in pages by their stable element ids, and the app's
loopback redirect URI.

Every step waits explicitly for the element it acts on (Playwright's locators wait until the element is
attached, visible and enabled, up to the context's default timeout); nothing sleeps.
"""

from __future__ import annotations

import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Explicit waits: an element or text that has not appeared within this many milliseconds fails the test.
WAIT_MS = 10_000
LOOPBACK_DONE = (
    "<!doctype html><html lang='en'><title>Signed in</title>"
    "<p id='loopback-done'>Authentication complete. You can close this window.</p></html>"
)


class SignInPages:
    """Tenantry's sign-in pages in one browser tab."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def expect_heading(self, text: str) -> None:
        """Wait until the page's `<h1>` reads `text` (so a page still unloading after a click is never
        mistaken for the next one); fail after the context's timeout."""
        from playwright.sync_api import expect  # here: the suite must import (and skip) without Playwright

        expect(self.page.locator("main h1")).to_have_text(text, timeout=WAIT_MS)

    def enter_username(self, username: str) -> None:
        """Username page: type the UPN (over any login_hint prefill) and press Next."""
        field = self.page.locator("#username")
        field.fill(username)
        self.page.locator("#next").click()

    def enter_password(self, password: str) -> None:
        """Password page: type the password and press Sign in."""
        self.page.locator("#password").fill(password)
        self.page.locator("#sign-in").click()

    def update_password(self, current: str, new: str, confirm: str | None = None) -> None:
        """ "Update your password": current, new and confirmed (default: the new one), then Sign in."""
        self.page.locator("#current-password").fill(current)
        self.page.locator("#new-password").fill(new)
        self.page.locator("#confirm-password").fill(new if confirm is None else confirm)
        self.page.locator("#change-password").click()

    def stay_signed_in(self, *, stay: bool) -> None:
        """ "Stay signed in?": Yes (persistent SSO cookie) or No (session cookie)."""
        self.page.locator("#kmsi-yes" if stay else "#kmsi-no").click()

    def consent(self, *, accept: bool = True) -> None:
        """The consent page: Accept or Cancel."""
        self.page.locator("#consent-accept" if accept else "#consent-decline").click()

    def sign_in(self, username: str, password: str, *, stay: bool = True) -> None:
        """Username, password and "Stay signed in?" in a row."""
        self.enter_username(username)
        self.enter_password(password)
        self.stay_signed_in(stay=stay)

    def enter_device_code(self, user_code: str) -> None:
        """`/devicelogin`: type the code the device shows and press Next."""
        self.page.locator("#user_code").fill(user_code)
        self.page.locator("#next").click()


class _LoopbackHandler(BaseHTTPRequestHandler):
    """Answers a GET (query response mode) or POST (form_post) of `/` with the "done" page and hands the
    parameters it brought to the server's queue as (method, urlencoded string); anything else (the
    browser's favicon request) is a 404."""

    server: _LoopbackServer

    def do_GET(self) -> None:
        target = urlsplit(self.path)
        if target.path != "/":
            self.send_error(404)
            return
        self._arrived("GET", target.query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = self.rfile.read(length).decode("ascii")
        if urlsplit(self.path).path != "/":
            self.send_error(404)
            return
        self._arrived("POST", form)

    def _arrived(self, method: str, parameters: str) -> None:
        self.server.arrivals.put((method, parameters))
        body = LOOPBACK_DONE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the query holds authorization codes."""


class _LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _LoopbackHandler)
        self.arrivals: queue.Queue[tuple[str, str]] = queue.Queue()


class Loopback:
    """A desktop app's loopback redirect URI `http://localhost:PORT`: a real HTTP listener on 127.0.0.1,
    as MSAL's `acquire_token_interactive` runs one, on a port the OS picked.

    (Playwright's route interception is no substitute: it does not see the targets of redirects, and
    the authorize endpoint reaches the app by redirecting.)
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self._server = _LoopbackServer()
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback", daemon=True)
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        """`http://localhost:PORT` (matches the registered `http://localhost`: any port, as Entra allows)."""
        return f"http://localhost:{self._server.server_address[1]}"

    def reply(self, method: str = "GET") -> dict[str, str]:
        """Wait for the browser to arrive at the redirect URI; the parameters of that (only) arrival, which
        must have come by `method` (GET: query response mode; POST: form_post)."""
        self.page.locator("#loopback-done").wait_for()
        arrived, parameters = self._server.arrivals.get_nowait()
        assert self._server.arrivals.empty(), "the browser arrived at the redirect URI more than once"
        assert arrived == method, f"the reply came by {arrived}, not {method}"
        return dict(parse_qsl(parameters, keep_blank_values=True))

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
