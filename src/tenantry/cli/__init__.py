"""The `tenantry` command line, shaped like `az ad` (Typer + Rich)."""
