"""The authorization endpoint: a table of small validation steps, the SSO decision, code issuance, and
the resume step the sign-in pages hand a finished flow back to."""
