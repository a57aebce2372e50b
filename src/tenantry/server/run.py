"""Serve the ASGI app with uvicorn on one or more ports of one process (one event loop, shared state).

Several ports matter because MSAL Python asks user-realm discovery on port 443 whatever the
authority's port (msal-compat §1.3); `serve --port 8443 --port 443` answers both.

The sockets are bound before uvicorn starts (`server/listen.py`), and the asyncio servers on them are
created here rather than by uvicorn, which cannot pass `ssl_handshake_timeout`: one `header_timeout`
bounds the TLS handshake and the request headers alike (`server/header_deadline.py`).
"""

from __future__ import annotations

import asyncio
import functools
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from tenantry.server.access_log import install_access_log_redactor
from tenantry.server.header_deadline import DEFAULT_HEADER_TIMEOUT_S, HeaderDeadlineProtocol
from tenantry.server.listen import bind_listeners


@dataclass(frozen=True, slots=True)
class Listener:
    """Where and how to listen."""

    host: str
    ports: tuple[int, ...]
    certfile: Path | None
    keyfile: Path | None
    access_log: bool = False


class _Server(uvicorn.Server):
    """uvicorn's server on sockets bound beforehand, each accepted connection under the header deadline."""

    def __init__(self, config: uvicorn.Config, sockets: Sequence[socket.socket], header_timeout: float) -> None:
        super().__init__(config)
        self._listening = sockets
        self._header_timeout = header_timeout

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's start-up (lifespan, state) without listeners of its own, then ours on the bound sockets."""
        await super().startup(sockets=[])
        loop = asyncio.get_running_loop()
        protocol = functools.partial(
            HeaderDeadlineProtocol,
            self.config,
            self.server_state,
            self.lifespan.state,
            header_timeout=self._header_timeout,
        )
        ssl = self.config.ssl
        for sock in self._listening:
            server = await loop.create_server(
                protocol,
                sock=sock,
                backlog=self.config.backlog,
                ssl=ssl,
                ssl_handshake_timeout=self._header_timeout if ssl else None,
            )
            self.servers.append(server)
        self._log_started_message(self._listening)


def _config(app: Starlette, listener: Listener, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=HeaderDeadlineProtocol,
        host=listener.host,
        port=port,
        ssl_certfile=str(listener.certfile) if listener.certfile else None,
        ssl_keyfile=str(listener.keyfile) if listener.keyfile else None,
        access_log=listener.access_log,
        # No logging configuration of uvicorn's own: its loggers propagate to the one handler `tenantry serve`
        # installed (server/logs.py), in the format and from the level the settings choose.
        log_config=None,
        log_level=None,
        proxy_headers=listener.certfile is None,
        server_header=False,
        timeout_keep_alive=30,
        # Clients (MSAL, azure-core) keep idle TLS connections; don't wait asyncio's 30 s for them on exit.
        timeout_graceful_shutdown=3,
    )


async def _serve_all(
    app: Starlette, listener: Listener, sockets: Sequence[socket.socket], header_timeout: float
) -> None:
    servers = [
        _Server(_config(app, listener, port), [s for s in sockets if s.getsockname()[1] == port], header_timeout)
        for port in listener.ports
    ]
    install_access_log_redactor()  # after the configs: each one resets the access logger
    await asyncio.gather(*(server.serve() for server in servers))


# How long a thread may hold the GIL while another waits for it (CPython's default is 5 ms). Our worker
# threads (RSA signing, password hashing, database drivers) spend nearly all their time outside the GIL
# and need it only for a few microseconds at each end of a job; with 5 ms, a worker that has finished
# its signature can sit idle for most of that interval while the event loop runs Python. 100 µs lets
# it in sooner: paired runs of the token bench gave about 7% more tokens/s, and less CPU per token.
# `Settings.gil_switch_interval_us` sets it; this is its default.
DEFAULT_GIL_SWITCH_INTERVAL_US = 100


def serve(
    app: Starlette,
    listener: Listener,
    sockets: Sequence[socket.socket] | None = None,
    *,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT_S,
    gil_switch_interval_us: int = DEFAULT_GIL_SWITCH_INTERVAL_US,
) -> None:
    """Block until interrupted. Binds `listener`'s ports unless given their sockets (`listen.bind_listeners`,
    which raises `ListenError`); `header_timeout` bounds each TLS handshake and header block, seconds."""
    if sockets is None:
        sockets = bind_listeners(listener.host, listener.ports)
    sys.setswitchinterval(gil_switch_interval_us / 1_000_000)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency of uvicorn[standard]
        pass
    asyncio.run(_serve_all(app, listener, sockets, header_timeout))
