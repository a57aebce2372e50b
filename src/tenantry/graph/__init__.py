"""The Microsoft Graph-compatible management API (`/v1.0`): FastAPI routes over the domain services,
Graph's OData query options (`graph.odata`), wire models (`graph.schemas`) and error envelope (`graph.errors`)."""
