"""Fixtures of the Graph API suite: the protocol suite's app, TestClient and log guard (so every secret and
token the suite handles is proven absent from the logs), plus the directory in `graph/world.py`."""

from __future__ import annotations

from typing import Any

import pytest

from graph.backends import graph_backend
from graph.world import GraphWorld, build_graph_world
from protocol.conftest import Factory, Sensitive, client, factory, log_guard, sensitive, services
from tenantry.app import Services

__all__ = ["client", "factory", "graph", "graph_backend", "log_guard", "sensitive", "services"]


@pytest.fixture(scope="session")
def graph(services: Services, factory: Factory, sensitive: Sensitive, client: Any) -> GraphWorld:
    """Tenant `graph-suite.example` (and a Fabrikam tenant) with the admin console app; see `GraphWorld`."""
    return build_graph_world(services, factory, sensitive, client)
