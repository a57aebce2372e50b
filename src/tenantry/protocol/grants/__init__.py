"""Token-endpoint grants, one module per `grant_type` (style P4, P11)."""
