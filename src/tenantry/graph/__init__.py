"""Graph-compatible admin API: OData query handling now, HTTP routes later."""
