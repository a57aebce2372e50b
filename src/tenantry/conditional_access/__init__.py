"""Conditional access (issue 12 §4): policies and named locations, and their evaluation at sign-in."""
