"""SQL implementations of the repository Protocols, combined into one unit bound to a connection."""

from tenantry.store.sql.unit import SqlUnit

__all__ = ["SqlUnit"]
