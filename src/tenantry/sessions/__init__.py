"""Browser SSO sessions (the ESTSAUTH cookie's server side)."""
