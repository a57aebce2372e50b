"""Self-service password reset (entra-reference §5.5): tenant settings, the methods a user registers for it
(e-mail, authenticator app, security questions), the reset flow and the registration interrupt."""
