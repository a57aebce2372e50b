"""Storage contract tests (style P8/P9): one suite, run against SQLite and PostgreSQL."""
