"""Close connections whose request headers do not arrive in time (issue 9 §8: slow-header clients).

uvicorn waits for headers forever: a client that opens a connection and sends nothing, or trickles a
request line one byte at a time, holds a socket and a protocol object for as long as it likes, and a
few hundred such clients exhaust the file descriptors. Each header block must therefore be complete
`header_timeout` seconds after the connection was accepted (TLS handshake included, see
`server/run.py`), or after the first byte that follows a finished response on a keep-alive
connection; otherwise the connection is aborted. An idle keep-alive connection stays governed by
uvicorn's own keep-alive timeout, and a request body or a slow response by nothing here. (Bytes of a
pipelined request that arrive while the previous response is being produced start no deadline, as the
client is then waiting for the server; after that response the connection is idle until its next byte.)

The hot path stays nearly as cheap as it was: a request sets and clears a deadline (a clock read and
two attribute writes); one timer per connection checks it when it fires and re-arms it for the deadline
then current, so a busy keep-alive connection arms about one timer per `header_timeout`, not one per request.

```mermaid
stateDiagram-v2
    [*] --> AwaitingHeaders: accepted (deadline = accept + timeout)
    AwaitingHeaders --> Serving: on_headers_complete (deadline cleared)
    Serving --> Idle: response complete (uvicorn's keep-alive timer)
    Idle --> AwaitingHeaders: first byte (deadline = now + timeout)
    AwaitingHeaders --> [*]: deadline passed (abort)
```
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from tenantry.server.corking import CorkedHttpToolsProtocol

DEFAULT_HEADER_TIMEOUT_S = 10.0
# A timer may fire a little early (libuv counts whole milliseconds); a deadline that close has passed.
_EARLY_S = 0.01


class HeaderDeadlineProtocol(CorkedHttpToolsProtocol):
    """The corked httptools protocol, aborting a connection whose header block is late."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        header_timeout: float = DEFAULT_HEADER_TIMEOUT_S,
    ) -> None:
        """Created by the server when it accepts the connection, i.e. before any TLS handshake."""
        super().__init__(config, server_state, app_state, _loop)
        self._header_timeout = header_timeout
        self._header_deadline: float | None = self.loop.time() + header_timeout
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start checking the deadline set at accept time."""
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the timer with the connection."""
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """The first byte on an idle keep-alive connection (even a stray CRLF) starts the next deadline."""
        if self.timeout_keep_alive_task is not None and self._header_deadline is None:
            self._header_deadline = self.loop.time() + self._header_timeout
            if self._header_timer is None:
                self._arm_header_timer()
        super().data_received(data)

    def on_headers_complete(self) -> None:
        """Headers in time: no deadline until the next request's first byte after this response."""
        self._header_deadline = None
        super().on_headers_complete()

    def _arm_header_timer(self) -> None:
        if self._header_deadline is not None:
            self._header_timer = self.loop.call_at(self._header_deadline, self._check_header_deadline)

    def _check_header_deadline(self) -> None:
        self._header_timer = None
        deadline = self._header_deadline
        if deadline is None:
            return
        if self.loop.time() + _EARLY_S < deadline:
            self._arm_header_timer()  # the deadline of a later request
            return
        self.logger.debug("request headers not complete within %.1f s; connection aborted", self._header_timeout)
        self.transport.abort()
