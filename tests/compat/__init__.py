"""Compatibility suite: the real `tenantry serve` driven by Microsoft's unmodified MSAL and azure-identity."""
