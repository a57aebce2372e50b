"""Tiny, dependency-free primitives shared by every package."""
