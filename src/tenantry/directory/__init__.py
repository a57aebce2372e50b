"""The directory: tenants and their verified domains (users, groups and roles come next)."""
