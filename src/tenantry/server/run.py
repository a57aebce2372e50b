"""Serve the ASGI app with uvicorn on one or more ports of one process (one event loop, shared state).

Several ports matter because MSAL Python asks user-realm discovery on port 443 whatever the
authority's port (msal-compat §1.3); `serve --port 8443 --port 443` answers both.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from tenantry.server.access_log import install_access_log_redactor
from tenantry.server.corking import CorkedHttpToolsProtocol


@dataclass(frozen=True, slots=True)
class Listener:
    """Where and how to listen."""

    host: str
    ports: tuple[int, ...]
    certfile: Path | None
    keyfile: Path | None
    access_log: bool = False


def _config(app: Starlette, listener: Listener, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=CorkedHttpToolsProtocol,
        host=listener.host,
        port=port,
        ssl_certfile=str(listener.certfile) if listener.certfile else None,
        ssl_keyfile=str(listener.keyfile) if listener.keyfile else None,
        access_log=listener.access_log,
        log_level="info",
        proxy_headers=listener.certfile is None,
        server_header=False,
        timeout_keep_alive=30,
        # Clients (MSAL, azure-core) keep idle TLS connections; don't wait asyncio's 30 s for them on exit.
        timeout_graceful_shutdown=3,
    )


async def _serve_all(app: Starlette, listener: Listener) -> None:
    servers = [uvicorn.Server(_config(app, listener, port)) for port in listener.ports]
    install_access_log_redactor()  # after the configs: each one re-applies uvicorn's logging config
    await asyncio.gather(*(server.serve() for server in servers))


# How long a thread may hold the GIL while another waits for it (CPython's default is 5 ms). Our worker
# threads (RSA signing, password hashing, database drivers) spend nearly all their time outside the GIL
# and need it only for a few microseconds at each end of a job; with 5 ms, a worker that has finished
# its signature can sit idle for most of that interval while the event loop runs Python. 100 µs lets
# it in sooner: paired runs of the token bench gave about 7% more tokens/s, and less CPU per token.
GIL_SWITCH_INTERVAL_S = 0.0001


def serve(app: Starlette, listener: Listener) -> None:
    """Block until interrupted."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency of uvicorn[standard]
        pass
    asyncio.run(_serve_all(app, listener))
