"""A native client with a Kerberos ticket: MSAL Python builds the authorize URL and redeems the code; the
redirects in between are followed by `requests` with requests-gssapi's Negotiate handler, reading the
ticket from the kinit'ed cache in KRB5CCNAME. Only the consent page, when shown, is answered by hand."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import msal
import requests
from requests_gssapi import OPTIONAL, HTTPSPNEGOAuth

REDIRECT_URI = "http://localhost"
_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')
MAX_HOPS = 20


@dataclass
class Outcome:
    """Where the client ended: the app's redirect (`code` set) or a page (`response`), and every URL seen."""

    visited: list[str]
    response: requests.Response
    reply: dict[str, str] | None = None

    @property
    def page_path(self) -> str:
        """The path of the page the client stopped on."""
        return urlsplit(self.visited[-1]).path


def _consent(session: requests.Session, url: str, page: requests.Response) -> requests.Response:
    fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(page.text)}
    return session.post(urljoin(url, "/consent"), data={**fields, "answer": "accept"}, allow_redirects=False)


def follow(session: requests.Session, url: str) -> Outcome:
    """GET `url` and follow redirects (consenting when asked) until the app's redirect URI or a page."""
    visited = [url]
    response = session.get(url, allow_redirects=False)
    for _ in range(MAX_HOPS):
        if response.status_code == 200 and urlsplit(visited[-1]).path == "/consent":
            response = _consent(session, visited[-1], response)
        if response.status_code not in (302, 303):
            return Outcome(visited, response)
        url = urljoin(visited[-1], response.headers["location"])
        visited.append(url)
        if url.startswith(REDIRECT_URI + "?") or url.startswith(REDIRECT_URI + "/?"):
            return Outcome(visited, response, dict(parse_qsl(urlsplit(url).query)))
        response = session.get(url, allow_redirects=False)
    raise AssertionError(f"more than {MAX_HOPS} redirects: {visited}")


def session(ca_path: str, negotiate: bool = True) -> requests.Session:
    """A requests session trusting the server's CA, answering 401 Negotiate from the ticket cache."""
    client = requests.Session()
    client.verify = ca_path
    client.trust_env = False  # no proxy between the test and localhost
    if negotiate:
        client.auth = HTTPSPNEGOAuth(mutual_authentication=OPTIONAL)
    return client


def sign_in(authority: str, app_id: str, upn: str, ca_path: str, negotiate: bool = True) -> tuple[Outcome, Any]:
    """MSAL's auth-code flow with `login_hint`: the outcome, and MSAL's token result (None without a code)."""
    app = msal.PublicClientApplication(app_id, authority=authority, instance_discovery=False)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT_URI, login_hint=upn)
    outcome = follow(session(ca_path, negotiate), flow["auth_uri"])
    if outcome.reply is None or "code" not in outcome.reply:
        return outcome, None
    return outcome, app.acquire_token_by_auth_code_flow(flow, outcome.reply)


def to_sso_endpoint(client: requests.Session, authority: str, app_id: str, upn: str) -> str:
    """Start MSAL's authorize URL with `login_hint` and follow it to the SSO endpoint's 401; its URL."""
    app = msal.PublicClientApplication(app_id, authority=authority, instance_discovery=False)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=REDIRECT_URI, login_hint=upn)
    outcome = follow(client, flow["auth_uri"])
    assert outcome.response.status_code == 401, outcome.visited
    assert outcome.response.headers["WWW-Authenticate"] == "Negotiate"
    return outcome.visited[-1]


def present(client: requests.Session, sso_url: str, authorization: str) -> str:
    """Send one `Authorization` header to the SSO endpoint; where it redirects."""
    response = client.get(sso_url, headers={"Authorization": authorization}, allow_redirects=False)
    assert response.status_code == 302, (response.status_code, response.text[:300])
    return urljoin(sso_url, response.headers["location"])
