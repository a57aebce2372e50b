"""Monitoring: the sign-in and audit logs filtered and paged under Graph's AUDIT_READ, each failure linked to
its /error explanation, an entry's conditional access policies, and the home page's expiring credentials."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest

from signin.browser import Browser
from tenantry.app import Services
from tenantry.signins.models import AppliedPolicy, EventType, SignInEntry

from .conftest import Directory

LOG_UPN = "logtest@contoso.example"
LOG_APP = "6f1c4a52-8d7e-4e55-9a0b-2b7d3c9e1f00"
ROWS = re.compile(r'<a href="/admin/monitoring/sign-ins/([0-9a-f-]+)">')


@pytest.fixture(scope="module")
def logged(services: Services, directory: Directory) -> list[SignInEntry]:
    """30 successes then 3 failures (50126) of one user in one app, the newest with a policy applied."""
    now = services.clock.now()
    entries = []
    for n in range(33):
        failed = n >= 30
        entries.append(
            SignInEntry(
                id=str(uuid.uuid4()),
                created_at=now - timedelta(minutes=60 - n),
                tenant_id=directory.tenant.id,
                event_type=EventType.INTERACTIVE_USER,
                status_error_code=50126 if failed else 0,
                failure_reason="Invalid username or password." if failed else "",
                user_principal_name=LOG_UPN,
                app_id=LOG_APP,
                app_display_name="Log test app",
                conditional_access_status="failure" if n == 32 else "notApplied",
                applied_conditional_access_policies=(
                    (AppliedPolicy("p1", "Require MFA for admins", "failure", ("mfa",)),) if n == 32 else ()
                ),
            )
        )
    for entry in entries:
        services.sign_ins.record(entry)
    services.sign_ins.flush()
    return entries


ROUTES = ("/admin/monitoring/sign-ins", "/admin/monitoring/sign-ins/{entry}", "/admin/monitoring/audit-logs")


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("who", "status"), [("global", 200), ("apps", 200), ("helpdesk", 403), ("users", 403), ("plain", 403)]
)
def test_only_audit_log_readers_open_the_logs(
    signed_in: Callable[[str], Browser], logged: list[SignInEntry], route: str, who: str, status: int
) -> None:
    """Graph's AUDIT_READ: Global and Application Administrators (Entra gives app managers the audit log)."""
    response = signed_in(who).get(route.format(entry=logged[-1].id))
    assert response.status_code == status
    if status == 403:
        assert "Requires one of the directory roles" in response.text or "holds no directory role" in response.text


def test_sign_ins_filter_by_user_app_and_error_code(
    signed_in: Callable[[str], Browser], logged: list[SignInEntry]
) -> None:
    """Each filter is the SignInQuery's; a failure links to its /error explanation."""
    browser = signed_in("global")
    failures = browser.get(f"/admin/monitoring/sign-ins?user={LOG_UPN}&code=AADSTS50126")
    assert failures.status_code == 200
    assert set(ROWS.findall(failures.text)) == {e.id for e in logged[30:]}
    assert 'href="/error?code=50126"' in failures.text
    by_app = browser.get(f"/admin/monitoring/sign-ins?app={LOG_APP}&code=0")
    assert len(ROWS.findall(by_app.text)) == 25 and "/error?code=" not in by_app.text
    nobody = browser.get("/admin/monitoring/sign-ins?user=nobody@contoso.example")
    assert not ROWS.findall(nobody.text) and "No sign-ins match these filters" in nobody.text


def test_a_bad_error_code_is_explained(signed_in: Callable[[str], Browser]) -> None:
    """Not a number: the page says how to write one."""
    response = signed_in("global").get("/admin/monitoring/sign-ins?code=oops")
    assert response.status_code == 400 and "such as 50126" in response.text


def test_sign_ins_are_paged_newest_first(signed_in: Callable[[str], Browser], logged: list[SignInEntry]) -> None:
    """25 a page, the filters kept in the page links."""
    browser = signed_in("global")
    first = browser.get(f"/admin/monitoring/sign-ins?app={LOG_APP}")
    ids = ROWS.findall(first.text)
    assert ids == [e.id for e in reversed(logged)][:25]
    link = re.search(r'href="([^"]+)">Next page', first.text)
    assert link and "app=" in link.group(1)
    second = browser.get(link.group(1).replace("&amp;", "&"))
    assert ROWS.findall(second.text) == [e.id for e in reversed(logged)][25:]
    assert "Next page" not in second.text and "Previous page" in second.text


def test_an_entry_shows_its_conditional_access_policies(
    signed_in: Callable[[str], Browser], logged: list[SignInEntry]
) -> None:
    """Status, the policies with their result and controls, and the error's explanation."""
    page = signed_in("global").get(f"/admin/monitoring/sign-ins/{logged[-1].id}").text
    assert "Require MFA for admins" in page and "mfa" in page and "failure" in page
    assert 'href="/error?code=50126"' in page
    missing = signed_in("global").get(f"/admin/monitoring/sign-ins/{uuid.uuid4()}")
    assert missing.status_code == 404 and "Request_ResourceNotFound" in missing.text


def test_audit_logs_filter_and_page(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The audit service's records, filtered by activity, initiator and result."""
    browser = signed_in("global")
    records = services.audit.list_records(directory.tenant.id)
    assert records, "the fixtures' changes are audited"
    activity = records[0].activity
    page = browser.get(f"/admin/monitoring/audit-logs?activity={activity}&result=success")
    assert page.status_code == 200 and activity in page.text
    none = browser.get("/admin/monitoring/audit-logs?activity=no-such-activity-xyz")
    assert "No audit records match these filters" in none.text
    assert browser.get("/admin/monitoring").headers["location"] == "/admin/monitoring/sign-ins"


def test_the_home_page_lists_credentials_expiring_within_30_days(
    services: Services, signed_in: Callable[[str], Browser], directory: Directory
) -> None:
    """The CLI's expiring listing, for who may read app registrations; expired secrets are not listed."""
    payroll = directory.payroll
    services.credentials.add_secret(payroll, "soon", services.clock.now() + timedelta(days=10))
    home = signed_in("apps").get("/admin").text
    assert "Credentials expiring in the next 30 days" in home and "soon" in home and ">old<" not in home
    assert "Credentials expiring in the next 30 days" not in signed_in("helpdesk").get("/admin").text
