"""Repository-wide pytest configuration; suite-specific fixtures live in each suite's own conftest.

`tests/` is on `sys.path` (pytest's rootdir-relative import), so shared helpers import as `support.*`.
"""
