"""Routes of the user-flow endpoints beside /token: devicecode, userinfo, user-realm discovery."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
