"""Sign-in logs: every sign-in and refused sign-in, in Graph's `signIn` shape (style P14: apart from the
directory audit log, written off the request path by one background writer)."""
