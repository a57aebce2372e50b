"""Migration checks: upgrade, `alembic check` equivalence and downgrade on SQLite and PostgreSQL."""
