"""Sign-in pages: username, password, "Stay signed in?", consent, device code entry."""
