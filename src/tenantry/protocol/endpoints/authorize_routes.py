"""Routes of the interactive endpoints: authorize (and its resume step), logout, admin consent."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
