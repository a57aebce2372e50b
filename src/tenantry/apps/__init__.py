"""App registrations, service principals and app role assignments."""
