"""HTTP glue shared by the adapters (protocol, web): request context, JSON responses, middleware."""
