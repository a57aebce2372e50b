"""Tests for the Graph-compatible API's pure helpers."""
