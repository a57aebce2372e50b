"""Seamless single sign-on by Kerberos (seed 003): the imported service keys and the SPNEGO acceptor."""
