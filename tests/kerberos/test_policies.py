"""A Kerberos sign-in is a first factor like a password (`amr` `wia`): per-user MFA and conditional access
still ask for the second factor after it, and the tokens say how the user signed in."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tenantry.audit.recorder import SYSTEM, AuditContext
from tenantry.conditional_access.models import ALL, ApplicationCondition, UserCondition
from tenantry.conditional_access.validation import PolicyDraft

from .client import sign_in
from .conftest import KDC_PASSWORD, Realm

pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")


@pytest.fixture
def ticket_for(realm: Realm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """kinit for a principal into a cache of the test's own, which the test process then uses."""
    for name, value in realm.kdc.client_env().items():
        monkeypatch.setenv(name, value)

    def kinit(principal: str) -> None:
        ccache = tmp_path / "ccache"
        realm.kdc.kinit(principal, KDC_PASSWORD, ccache)
        monkeypatch.setenv("KRB5CCNAME", f"FILE:{ccache}")

    return kinit


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _authority(realm: Realm) -> str:
    return f"{realm.base_url}/{realm.tenant_id}"


def test_tokens_carry_amr_wia_and_the_ticket_is_audited(realm: Realm, ticket_for: Callable[[str], None]) -> None:
    """Graph's access token says `wia`; the audit log names realm, client principal and key version."""
    principal, upn = realm.new_user("amr")
    ticket_for(principal)
    _, result = sign_in(_authority(realm), realm.app_id, upn, str(realm.server.ca_path))
    assert result is not None and "access_token" in result
    assert _claims(result["access_token"])["amr"] == ["wia"]
    records = realm.services.audit.list_records(realm.tenant_id)
    accepted = [r for r in records if r.activity == "Kerberos service ticket accepted for seamless SSO"]
    assert accepted, [r.activity for r in records]
    details = {name: new for name, _, new in accepted[0].targets[0].modified}
    assert details["realm"] == realm.kdc.realm and details["clientPrincipal"] == principal
    assert details["servicePrincipal"] == f"HTTP/localhost@{realm.kdc.realm}" and int(details["keyVersion"]) >= 2


def test_per_user_mfa_still_asks_for_the_second_factor(realm: Realm, ticket_for: Callable[[str], None]) -> None:
    """Per-user MFA enforced, no authenticator app yet: the ticket leads to enrolment, with no session."""
    principal, upn = realm.new_user("permfa")
    user = realm.services.users.find_user(upn)
    assert user is not None
    realm.services.auth_methods.set_mfa_state(user, "enforced", ctx=AuditContext(SYSTEM, realm.services.clock.now()))
    ticket_for(principal)
    outcome, result = sign_in(_authority(realm), realm.app_id, upn, str(realm.server.ca_path))
    assert result is None and outcome.page_path == "/login/mfa/enrol", outcome.visited
    assert any("/winauth/sso" in url for url in outcome.visited)
    assert "ESTSAUTH" not in outcome.response.cookies and not realm.sign_ins(0, upn, timeout=1.0)


def test_conditional_access_steps_up_after_kerberos(realm: Realm, ticket_for: Callable[[str], None]) -> None:
    """A policy requiring MFA for this user: after the ticket and consent, the resume step asks for MFA."""
    principal, upn = realm.new_user("camfa")
    user = realm.services.users.find_user(upn)
    assert user is not None
    draft = PolicyDraft(
        "Kerberos users need MFA", "enabled", UserCondition((user.id,)), ApplicationCondition((ALL,)),
        built_in_controls=("mfa",),
    )  # fmt: skip
    realm.services.conditional_access.create_policy(realm.tenant_id, draft)
    ticket_for(principal)
    outcome, result = sign_in(_authority(realm), realm.app_id, upn, str(realm.server.ca_path))
    assert result is None and outcome.response.status_code == 200, "\n".join(outcome.visited)
    assert "<h1>Set up your authenticator app</h1>" in outcome.response.text  # the step-up, at /login?flow=
    assert realm.sign_ins(50072, upn)  # the step-up is logged as on a password sign-in
    assert not [url for url in outcome.visited if url.split("?")[0].endswith("/login/password")]
