"""Alembic environment: runs on the connection `tenantry.store.migrate` hands over."""

from __future__ import annotations

from alembic import context

from tenantry.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through tenantry.store.migrate.upgrade_database()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
