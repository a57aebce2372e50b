"""Test helpers for the sign-in suite: a shiftable clock, a minimal browser over `TestClient` that follows
redirects by hand and fills forms, and assertions for Entra's error page and error replies."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from tenantry.errors import get_spec

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

BASE_URL = "https://localhost:8443"
# http.cookiejar files cookies of a dot-less host under "<host>.local".
COOKIE_DOMAIN = "localhost.local"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ")
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class ShiftableClock:
    """Real time plus an offset tests can move (the app's `Clock`)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        """Shifted UTC now."""
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        """Move forward (or back, with a negative value)."""
        self.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        """Back to real time."""
        self.offset = timedelta(0)


@dataclass
class Form:
    """One `<form>`: its action, its named inputs (with values) and its submit buttons."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.labels: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "label" and "for" in a:
            self.labels.add(a["for"])
        elif self.forms and tag == "input" and "name" in a:
            self.forms[-1].fields[a["name"]] = a.get("value", "")
            if "id" in a:
                self.forms[-1].ids.add(a["id"])
        elif self.forms and tag == "button":
            self.forms[-1].buttons.append((a.get("name", ""), a.get("value", ""), a.get("id", "")))


def forms_of(html: str) -> list[Form]:
    """Every form of a page; each knows which of its input ids have a `<label for=…>`."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        form.labels = parser.labels & form.ids
    return parser.forms


class Browser:
    """A cookie jar and hand-followed redirects over the app."""

    def __init__(self, app: Starlette) -> None:
        self.client = TestClient(app, base_url=BASE_URL, follow_redirects=False)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET without following redirects."""
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: Mapping[str, str], **kwargs: Any) -> httpx.Response:
        """POST a form."""
        return self.client.post(url, data=dict(data), **kwargs)

    def follow(self, response: httpx.Response) -> httpx.Response:
        """Follow one redirect to our own server."""
        assert response.status_code in (302, 303), f"{response.status_code}: {response.text[:300]}"
        location = response.headers["location"]
        assert location.startswith("/"), f"leaves the server: {location}"
        return self.get(location)

    def form(self, response: httpx.Response, action: str | None = None) -> Form:
        """The page's (first, or the one posting to `action`) form."""
        forms = [f for f in forms_of(response.text) if action is None or f.action == action]
        assert forms, f"no form{f' to {action}' if action else ''} on the page: {response.text[:500]}"
        return forms[0]

    def submit(self, page: httpx.Response, to: str | None = None, /, **fields: str) -> httpx.Response:
        """Fill and post the form of `page` posting `to` (its hidden fields, flow and CSRF token included)."""
        form = self.form(page, to)
        return self.post(form.action, {**form.fields, **fields})

    def to_our_pages(self, response: httpx.Response) -> httpx.Response:
        """Follow redirects while they stay on this server."""
        while response.status_code in (302, 303) and response.headers["location"].startswith("/"):
            response = self.follow(response)
        return response

    def sign_in(self, response: httpx.Response, username: str, password: str, *, stay: bool = False) -> httpx.Response:
        """From a redirect to (or a page of) the username step: username, password, "Stay signed in?";
        returns the answer after KMSI (normally a redirect to the resume step)."""
        page = self.to_our_pages(response)
        if "/login/password" not in page.text:
            page = self.to_our_pages(self.submit(page, "/login", username=username, action="next"))
        page = self.to_our_pages(self.submit(page, "/login/password", password=password, action="sign_in"))
        return self.submit(page, "/kmsi", stay="yes" if stay else "no")

    def set_session_cookie(self, token: str, *, persistent: bool = False) -> None:
        """Plant an SSO cookie, as a browser that signed in earlier holds one."""
        name = "ESTSAUTHPERSISTENT" if persistent else "ESTSAUTH"
        self.client.cookies.set(name, token, domain=COOKIE_DOMAIN, path="/")

    def cookie(self, name: str) -> str | None:
        """A cookie's current value."""
        return self.client.cookies.get(name, domain=COOKIE_DOMAIN)


def reply_params(response: httpx.Response, redirect_uri: str, mode: str = "query") -> dict[str, str]:
    """The parameters delivered to the app: from the Location's query or fragment, or the form_post page."""
    if mode == "form_post":
        assert response.status_code == 200, response.text[:300]
        form = forms_of(response.text)[0]
        assert (form.action, form.method) == (redirect_uri, "post")
        return form.fields
    assert response.status_code in (302, 303), f"{response.status_code}: {response.text[:400]}"
    location = response.headers["location"]
    assert location.startswith(redirect_uri), location
    parts = urlsplit(location)
    return dict(parse_qsl(parts.fragment if mode == "fragment" else parts.query, keep_blank_values=True))


def assert_error_reply(
    response: httpx.Response, code: int, redirect_uri: str, *, state: str | None = None, mode: str = "query"
) -> dict[str, str]:
    """An AADSTS error sent back to the app: `error` from the catalogue, Entra's `error_description`
    ("AADSTSn: …" + trace, correlation, timestamp), `error_uri`, and `state` echoed exactly."""
    params = reply_params(response, redirect_uri, mode)
    spec = get_spec(code)
    assert params["error"] == spec.oauth_error, params
    description = params["error_description"]
    assert description.startswith(f"AADSTS{code}: "), description
    assert "\r\nTrace ID: " in description and "\r\nCorrelation ID: " in description
    assert TIMESTAMP.search(description.rsplit("Timestamp: ", 1)[1])
    assert params["error_uri"] == f"{BASE_URL}/error?code={code}"
    assert params.get("state") == state
    assert "code" not in params
    return params


def assert_page_headers(response: httpx.Response) -> None:
    """Sign-in pages: never cached, no framing, CSP without inline script, no referrer."""
    headers = response.headers
    assert "no-store" in headers["cache-control"]
    assert headers["x-frame-options"] == "DENY"
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["referrer-policy"] == "no-referrer"


def assert_error_page(response: httpx.Response, code: int, *, correlation_id: str | None = None) -> str:
    """Entra's error page: the catalogue's status; the AADSTS code and message; trace id (= the
    `x-ms-request-id` header), correlation id, timestamp; a link to `/error?code=N`. Returns the page."""
    spec = get_spec(code)
    assert response.status_code == spec.http_status, f"{response.status_code}: {response.text[:600]}"
    assert response.headers["content-type"].startswith("text/html")
    assert_page_headers(response)
    page = response.text
    assert f'id="error-code">AADSTS{code}</strong>' in page, page[:1500]
    assert f'<code id="trace-id">{response.headers["x-ms-request-id"]}</code>' in page
    found = re.search(r'<code id="correlation-id">([^<]+)</code>', page)
    assert found is not None
    assert found.group(1) == correlation_id if correlation_id else GUID.fullmatch(found.group(1))
    stamp = re.search(r'<code id="timestamp">([^<]+)</code>', page)
    assert stamp is not None and TIMESTAMP.fullmatch(stamp.group(1))
    assert f'href="/error?code={code}"' in page
    return page
