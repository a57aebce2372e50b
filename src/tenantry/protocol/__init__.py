"""The security token service: Entra's endpoints over Starlette; no SQL here (style P7)."""
