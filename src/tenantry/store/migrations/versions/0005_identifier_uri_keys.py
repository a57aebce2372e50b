"""identifier URI keys: App ID URIs unique per tenant ignoring case and one trailing slash

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 16:30:00.000000

`application_identifier_uris.uri` (the exact spelling) becomes `uri_key` (lower case, one trailing slash
removed, as `tenantry.apps.identifier_uris.identifier_uri_key` computes it), so the primary key
(tenant_id, uri_key) refuses `api://ORDERS` once `api://orders` is taken.

Existing data may already hold such variants (that was the defect). The index is rebuilt from every
app's `identifierUris`, oldest app first (created_at, then id): the first app to expose a URI keeps
it; a later app of the same tenant exposing a variant of it loses that URI, and so does an app outside
the system tenant exposing a URI of a first-party app (they are reserved in every tenant). Each URI
taken away is removed from the app's `identifierUris` and logged as a warning naming tenant, app and
URI, so an operator can give the app another one. One app listing two spellings of one URI keeps both.
Downgrading restores exact-spelling rows from the apps' documents; URIs taken away stay away.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("tenantry.store.migrations")

# Frozen copy of tenantry.apps.first_party.SYSTEM_TENANT_ID: the tenant holding the first-party apps.
SYSTEM_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

applications = sa.table(
    "applications",
    sa.column("id", sa.String(36)),
    sa.column("tenant_id", sa.String(36)),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("document", sa.JSON()),
)


def _key(uri: str) -> str:
    """`identifier_uri_key` as of this revision."""
    key = uri.lower()
    return key[:-1] if key.endswith("/") else key


def _uris_table(column: str) -> sa.TableClause:
    return sa.table(
        "application_identifier_uris",
        sa.column("tenant_id", sa.String(36)),
        sa.column(column, sa.String(512)),
        sa.column("application_id", sa.String(36)),
    )


def _apps_oldest_first(connection: sa.Connection) -> list[Any]:
    a = applications
    query = sa.select(a.c.id, a.c.tenant_id, a.c.document).order_by(a.c.created_at, a.c.id)
    return list(connection.execute(query))


def _claims(connection: sa.Connection) -> dict[tuple[str, str], str]:
    """{(tenant, key): application id} with the losers' URIs removed from their documents."""
    apps = _apps_oldest_first(connection)
    system_apps = [app for app in apps if app.tenant_id == SYSTEM_TENANT_ID]
    reserved = {_key(u) for app in system_apps for u in app.document.get("identifierUris", ())}
    claims: dict[tuple[str, str], str] = {}
    for app in apps:
        kept = []
        for uri in app.document.get("identifierUris", ()):
            slot = (app.tenant_id, _key(uri))
            holder = claims.setdefault(slot, app.id)
            if holder != app.id or (app.tenant_id != SYSTEM_TENANT_ID and slot[1] in reserved):
                log.warning(
                    "App ID URI %r removed from app %s (tenant %s): %s",
                    uri,
                    app.id,
                    app.tenant_id,
                    "reserved for a first-party app" if holder == app.id else f"an older app ({holder}) exposes it",
                )
                if holder == app.id:
                    del claims[slot]
                continue
            kept.append(uri)
        if kept != list(app.document.get("identifierUris", ())):
            document = {**app.document, "identifierUris": kept}
            connection.execute(sa.update(applications).where(applications.c.id == app.id).values(document=document))
    return claims


def upgrade() -> None:
    connection = op.get_bind()
    claims = _claims(connection)
    op.execute(sa.delete(_uris_table("uri")))
    with op.batch_alter_table("application_identifier_uris", schema=None) as batch_op:
        batch_op.alter_column("uri", new_column_name="uri_key", existing_type=sa.String(512), existing_nullable=False)
    if claims:
        rows = [{"tenant_id": t, "uri_key": k, "application_id": a} for (t, k), a in claims.items()]
        connection.execute(sa.insert(_uris_table("uri_key")), rows)


def downgrade() -> None:
    connection = op.get_bind()
    rows = {
        (app.tenant_id, uri): app.id
        for app in _apps_oldest_first(connection)
        for uri in app.document.get("identifierUris", ())
    }
    op.execute(sa.delete(_uris_table("uri_key")))
    with op.batch_alter_table("application_identifier_uris", schema=None) as batch_op:
        batch_op.alter_column("uri_key", new_column_name="uri", existing_type=sa.String(512), existing_nullable=False)
    if rows:
        values = [{"tenant_id": t, "uri": u, "application_id": a} for (t, u), a in rows.items()]
        connection.execute(sa.insert(_uris_table("uri")), values)
