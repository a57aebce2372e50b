"""One validation rule per module; each `check_*` raises `AadstsError` or fills in the context."""
