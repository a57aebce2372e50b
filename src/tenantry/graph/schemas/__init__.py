"""Graph v1.0 wire models (camelCase): they document the API (OpenAPI) and shape every answer."""
