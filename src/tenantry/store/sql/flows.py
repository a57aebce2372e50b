"""Sign-in flows in SQL: what queries need has columns, the rest of the flow is one JSON document."""

from __future__ import annotations

import base64
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, delete, insert, select, update

from tenantry.common.clock import as_utc
from tenantry.sessions.flow import ConsentPrompt, FlowKind, FlowState, SignInFlow
from tenantry.store.sql.base import SqlBase
from tenantry.store.tables import sign_in_flows


def _document(flow: SignInFlow) -> dict[str, Any]:
    return {
        "request": dict(flow.request),
        "loginHint": flow.login_hint,
        "username": flow.username,
        "userId": flow.user_id,
        "sessionId": flow.session_id,
        "allowSso": flow.allow_sso,
        "consent": asdict(flow.consent) if flow.consent else None,
        "consented": flow.consented,
        "errorCode": flow.error_code,
        "authMethods": list(flow.auth_methods),
        "pendingSecret": base64.b64encode(flow.pending_secret).decode() if flow.pending_secret else None,
        "kerberosTried": flow.kerberos_tried,
    }


def _consent(data: dict[str, Any] | None) -> ConsentPrompt | None:
    if not data:
        return None
    return ConsentPrompt(
        tenant_id=data["tenant_id"],
        client_app_id=data["client_app_id"],
        client_name=data["client_name"],
        resource_app_id=data["resource_app_id"],
        resource_name=data["resource_name"],
        scopes=tuple(data["scopes"]),
        lines=tuple(data["lines"]),
        admin=bool(data.get("admin", False)),
    )


def _flow(row: Row[Any]) -> SignInFlow:
    doc: dict[str, Any] = row.document
    return SignInFlow(
        handle_hash=bytes(row.handle_hash),
        kind=FlowKind(row.kind),
        state=FlowState(row.state),
        tenant_segment=row.tenant_segment,
        tenant_id=row.tenant_id,
        client_id=row.client_id,
        request=dict(doc.get("request", {})),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        login_hint=doc.get("loginHint"),
        username=doc.get("username"),
        user_id=doc.get("userId"),
        session_id=doc.get("sessionId"),
        allow_sso=bool(doc.get("allowSso", True)),
        consent=_consent(doc.get("consent")),
        consented=bool(doc.get("consented", False)),
        error_code=doc.get("errorCode"),
        auth_methods=tuple(doc.get("authMethods") or ()),
        pending_secret=base64.b64decode(doc["pendingSecret"]) if doc.get("pendingSecret") else None,
        kerberos_tried=bool(doc.get("kerberosTried", False)),
    )


class SqlFlows(SqlBase):
    """Implements `FlowRepository`."""

    def add_flow(self, flow: SignInFlow) -> None:
        """Insert."""
        self._conn.execute(
            insert(sign_in_flows).values(
                handle_hash=flow.handle_hash,
                kind=flow.kind.value,
                state=flow.state.value,
                tenant_segment=flow.tenant_segment,
                tenant_id=flow.tenant_id,
                client_id=flow.client_id,
                document=_document(flow),
                created_at=flow.created_at,
                expires_at=flow.expires_at,
            )
        )

    def find_flow(self, handle_hash: bytes) -> SignInFlow | None:
        """By handle hash."""
        row = self._conn.execute(select(sign_in_flows).where(sign_in_flows.c.handle_hash == handle_hash)).first()
        return _flow(row) if row else None

    def update_flow(self, flow: SignInFlow) -> None:
        """Store the state and document."""
        self._update_flow(flow)

    def update_flow_if(self, flow: SignInFlow, expected: FlowState) -> bool:
        """Compare-and-set on the stored state, in one UPDATE."""
        return self._update_flow(flow, sign_in_flows.c.state == expected.value) == 1

    def _update_flow(self, flow: SignInFlow, *conditions: ColumnElement[bool]) -> int:
        result = self._conn.execute(
            update(sign_in_flows)
            .where(sign_in_flows.c.handle_hash == flow.handle_hash, *conditions)
            .values(state=flow.state.value, tenant_id=flow.tenant_id, document=_document(flow))
        )
        return result.rowcount

    def purge_flows(self, expired_before: datetime) -> None:
        """Delete expired flows (indexed on `expires_at`)."""
        self._conn.execute(delete(sign_in_flows).where(sign_in_flows.c.expires_at < expired_before))
