"""Helpers shared by test suites: a live-server runner, a certificate factory, JWT tools, the compat world."""
