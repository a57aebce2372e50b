"""Keep secret handles out of uvicorn's access log (style P3; issue 9 §3).

A request line can carry a secret: the token of a one-time share link is a path segment
(`GET /share/<token>`), and the sign-in pages pass their flow handle, Entra's `state`, the device
`otc` and, from a misbehaving client, codes or tokens in the query. Whoever reads the log could
replay them. The access log therefore records `/share/<redacted>` and `name=<redacted>` for every
query parameter in `SECRET_QUERY_PARAMETERS`; the other parameters (client_id, scope,
redirect_uri, …) stay, as operators need them.

uvicorn logs each request as `'%s - "%s %s HTTP/%s" %d'` with the raw path and query as one
argument; `AccessLogRedactor` rewrites every string argument before the message is formatted.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote, unquote_plus

REDACTED = "<redacted>"

# A path segment after which everything is secret: `/share/{token}` (web/share.py), and `/msi/{secret}/…`,
# the IMDS shape of the managed identity endpoint (protocol/endpoints/managed_identity.py).
SECRET_SEGMENTS = frozenset({"share", "msi"})

# Query parameters whose value is a handle or a credential. Most are only ever sent in a POST body
# (which is never logged), but a client may put them in a query string by mistake.
SECRET_QUERY_PARAMETERS = frozenset(
    {
        "flow",  # the sign-in flow handle of /login, /kmsi, /consent, …/authorize/resume
        "proof",  # seamless SSO's proof of an accepted Kerberos ticket (/login/winauth/done)
        "code",  # an authorization code (and, harmlessly, /error?code=N)
        "state",  # the client's CSRF binding, echoed back with the code
        "session_state",
        "nonce",  # the client's id-token replay binding
        "otc",  # the device user code in /devicelogin?otc=…
        "user_code",
        "device_code",
        "code_verifier",
        "client_secret",
        "client_assertion",
        "assertion",
        "password",
        "access_token",
        "refresh_token",
        "id_token",
        "id_token_hint",
        "token",
    }
)


def redact_target(target: str) -> str:
    """The request target (path and query) with secret path segments and parameter values replaced."""
    path, separator, query = target.partition("?")
    if not separator:
        return _redact_path(path)
    return f"{_redact_path(path)}?{'&'.join(_redact_pair(pair) for pair in query.split('&'))}"


def _redact_path(path: str) -> str:
    # Starlette routes on the percent-decoded path, and uvicorn logs the raw one: compare decoded.
    segments = path.split("/")
    for index, segment in enumerate(segments[:-1]):
        if unquote(segment).lower() in SECRET_SEGMENTS:
            return "/".join([*segments[: index + 1], REDACTED])
    return path


def _redact_pair(pair: str) -> str:
    name, separator, value = pair.partition("=")
    if separator and value and unquote_plus(name).strip().lower() in SECRET_QUERY_PARAMETERS:
        return f"{name}={REDACTED}"
    return pair


class AccessLogRedactor(logging.Filter):
    """Rewrites the request target in uvicorn's access-log records; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact every string argument (client address, method and version pass unchanged)."""
        if isinstance(record.args, tuple):
            record.args = tuple(redact_target(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def install_access_log_redactor(logger_name: str = "uvicorn.access") -> None:
    """Put one `AccessLogRedactor` on uvicorn's access logger (idempotent; after uvicorn configured logging)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, AccessLogRedactor) for existing in logger.filters):
        logger.addFilter(AccessLogRedactor())
