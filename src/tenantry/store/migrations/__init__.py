"""Alembic migration scripts (one history for SQLite and PostgreSQL)."""
