"""The directory audit log: who changed what, when, with which correlation id (style P14)."""
