"""Client secrets and certificates: generation, show-once, hashing, validity and status."""
