"""The sign-in pages' entries: interactive user sign-ins in the browser, successes and refused passwords.

Like the token endpoint's, they are queued as a builder and built on the log's writer thread: a success
from the flow the page returned, a refusal from the flow its handle names (read there, off the request).
The correlation id is the `client-request-id` the client sent to /authorize (MSAL does), which the whole
flow shares, as on Entra; else the page request's own.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tenantry.common.clock import Clock
from tenantry.common.context import RequestContext
from tenantry.errors import AadstsError
from tenantry.sessions.flow import SignInFlow
from tenantry.sessions.repository import SignInStore, SignInUnit
from tenantry.sessions.service import FlowService
from tenantry.signins.models import SUCCESS, AppliedPolicy, ClientApp, EventType, SignInEntry
from tenantry.signins.service import SignInLog

# Conditional access's part of an entry: `conditionalAccessStatus` and each policy's line.
Access = tuple[str, tuple[AppliedPolicy, ...]]
NO_ACCESS: Access = ("notApplied", ())

_CORRELATION_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _correlation(flow: SignInFlow, page_correlation_id: str) -> str:
    sent = flow.param("client-request-id")
    return sent if sent and _CORRELATION_ID.fullmatch(sent) else page_correlation_id


class PageSignIns:
    """Queues the pages' sign-ins (`record_later`) and builds their entries on the writer thread."""

    def __init__(self, log: SignInLog, store: SignInStore, clock: Clock) -> None:
        self._log = log
        self._store = store
        self._flows = FlowService(clock)

    def succeeded(self, flow: SignInFlow, ctx: RequestContext) -> None:
        """The password was right and a session began."""
        self._log.record_later(self._entry, flow, None, ctx)

    def failed(self, handle: str | None, error: AadstsError, ctx: RequestContext, access: Access = NO_ACCESS) -> None:
        """The page refused the sign-in (50126, 50053, 50057 …), or conditional access interrupted or
        blocked it (`access`: its status and each policy's line)."""
        self._log.record_later(self._failure, handle, error, ctx, access)

    def _failure(
        self, handle: str | None, error: AadstsError, ctx: RequestContext, access: Access
    ) -> SignInEntry | None:
        with self._store.transaction() as unit:
            try:
                flow = self._flows.find(handle, unit)
            except AadstsError:
                return None  # no flow, no tenant or app to name
            entry = self._entry_in(unit, flow, error, ctx)
        if entry is None or access is NO_ACCESS:
            return entry
        status, policies = access
        return replace(entry, conditional_access_status=status, applied_conditional_access_policies=policies)

    def _entry(self, flow: SignInFlow, error: AadstsError | None, ctx: RequestContext) -> SignInEntry | None:
        with self._store.transaction() as unit:
            return self._entry_in(unit, flow, error, ctx)

    @staticmethod
    def _entry_in(
        unit: SignInUnit, flow: SignInFlow, error: AadstsError | None, ctx: RequestContext
    ) -> SignInEntry | None:
        upn = flow.username or ""
        user = unit.find_user(flow.tenant_id, flow.user_id) if flow.tenant_id and flow.user_id else None
        user = user or (unit.find_user_by_upn(upn.lower()) if upn else None)
        app = unit.find_application_by_app_id(flow.client_id)
        tenant_id = flow.tenant_id or (user.tenant_id if user else None)
        if tenant_id is None:
            return None
        user = user if user is not None and user.tenant_id == tenant_id else None
        return SignInEntry(
            id=ctx.trace_id,
            created_at=ctx.received_at,
            tenant_id=tenant_id,
            event_type=EventType.INTERACTIVE_USER,
            status_error_code=error.code if error else SUCCESS,
            failure_reason=error.message if error else "",
            user_id=user.id if user else "",
            user_principal_name=user.user_principal_name if user else upn,
            user_display_name=user.display_name if user else "",
            app_id=flow.client_id,
            app_display_name=app.display_name if app else "",
            ip_address=ctx.client_ip,
            client_app_used=ClientApp.BROWSER,
            correlation_id=_correlation(flow, ctx.correlation_id),
            is_interactive=True,
        )
