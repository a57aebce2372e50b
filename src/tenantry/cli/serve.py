"""`tenantry serve` and `tenantry dev-cert`."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from tenantry.app import create_app
from tenantry.cli.context import load_settings, open_services
from tenantry.cli.demo import demo_banner, ensure_demo
from tenantry.cli.output import fail
from tenantry.cli.server_record import ServerRecord, local_public_url, recorded
from tenantry.common.transparent import ENTRA_AUTHORITY, TRANSPARENT_HOSTS, TRANSPARENT_PORT, hosts_file_lines
from tenantry.server.listen import ListenError, PortInUseError, bind_listeners
from tenantry.server.logs import configure_logging
from tenantry.server.run import Listener
from tenantry.server.run import serve as run_server
from tenantry.server.tls import ensure_dev_certificates


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: list[int] | None = typer.Option(
        None, "--port", "-p", help="Port (default 8443, 443 with --transparent); repeat to listen on more."
    ),
    demo: bool = typer.Option(False, "--demo", help="Create the demo tenant and print an MSAL snippet."),
    cert: Path | None = typer.Option(None, "--cert", help="TLS certificate chain (PEM) instead of the dev CA's."),
    key: Path | None = typer.Option(None, "--key", help="Private key for --cert."),
    no_tls: bool = typer.Option(
        False, "--no-tls", help="Plain HTTP behind a TLS-terminating proxy (needs --public-url)."
    ),
    public_url: str | None = typer.Option(
        None,
        "--public-url",
        help="External base URL, e.g. https://login.example.com: the issuer and the base of every published URL "
        "and link, whatever host name a request uses (default: https://localhost:<first --port>).",
    ),
    access_log: bool = typer.Option(False, "--access-log", help="Log every request."),
    transparent: bool = typer.Option(
        False,
        "--transparent",
        help="Answer as login.microsoftonline.com, graph.microsoft.com and management.azure.com on port 443, "
        "with Entra's issuers (for CI containers; see `tenantry dev-cert --hosts-file`).",
    ),
) -> None:
    """Run the identity server."""
    public_url, port = _transparent_mode(transparent, public_url, port)
    if no_tls and not public_url:
        raise fail("--no-tls needs --public-url: Microsoft's clients only accept https authorities")
    if (cert is None) != (key is None):
        raise fail("--cert and --key go together")
    try:  # first: a taken port is one line, before any migration output or demo banner
        sockets = bind_listeners(host, port)
    except ListenError as exc:
        raise fail(_cannot_listen(exc)) from None
    settings = load_settings(public_url=public_url) if public_url else load_settings()
    if settings.public_url is None:  # the services need the URL they are published under (Graph's alias)
        settings = load_settings(public_url=local_public_url(port[0]))
    configure_logging(settings.log_format, settings.log_level)  # before anything logs (migrations, keys)
    svc = open_services(settings)
    certfile, keyfile = cert, key
    if not no_tls and cert is None:
        hosts = (host,) if host not in ("0.0.0.0", "::") else ()  # noqa: S104
        files = ensure_dev_certificates(settings.home, (*hosts, *(TRANSPARENT_HOSTS if transparent else ())))
        certfile, keyfile = files.server_cert, files.server_key
    public = settings.public_url or local_public_url(port[0])  # --no-tls always comes with --public-url
    if demo:
        ca = str((settings.home / "tls" / "ca.pem").resolve())
        typer.echo(demo_banner(ensure_demo(svc), public, ca))
    app = create_app(svc, public_url=public)
    with recorded(settings.home, ServerRecord(public, os.getpid(), tuple(port))):
        run_server(
            app,
            Listener(host, tuple(port), None if no_tls else certfile, None if no_tls else keyfile, access_log),
            sockets,
            header_timeout=settings.header_timeout_seconds,
            gil_switch_interval_us=settings.gil_switch_interval_us,
        )


def _transparent_mode(
    transparent: bool, public_url: str | None, port: list[int] | None
) -> tuple[str | None, list[int]]:
    """The public URL and ports: in transparent mode Entra's authority (the one public URL every issuer,
    discovery document and link derives from: `common/transparent.py`) on 443, which its URLs imply."""
    if not transparent:
        return public_url, port or [8443]
    if public_url and public_url.rstrip("/").lower() != ENTRA_AUTHORITY:
        raise fail(f"--transparent publishes {ENTRA_AUTHORITY}; leave out --public-url")
    ports = port or [TRANSPARENT_PORT]
    if TRANSPARENT_PORT not in ports:
        raise fail("--transparent needs port 443: Entra's URLs name no port")
    return ENTRA_AUTHORITY, ports


def _cannot_listen(error: ListenError) -> str:
    if isinstance(error, PortInUseError):
        return f"port {error.port} is in use; `make run PORT={error.suggestion}` or `tenantry serve --port N`"
    return str(error)


def dev_cert(
    ca_path: bool = typer.Option(False, "--ca-path", help="Print only the CA bundle's path (for REQUESTS_CA_BUNDLE)."),
    hosts_file: bool = typer.Option(
        False, "--hosts-file", help="Print only the /etc/hosts lines that send Entra's names here (--transparent)."
    ),
) -> None:
    """Create (if needed) the local development CA and server certificate."""
    if hosts_file:
        typer.echo("\n".join(hosts_file_lines()))
        return
    files = ensure_dev_certificates(load_settings().home)
    if ca_path:
        typer.echo(str(files.ca_cert.resolve()))
        return
    typer.echo(f"CA certificate:     {files.ca_cert.resolve()}")
    typer.echo(f"Server certificate: {files.server_cert.resolve()}")
    typer.echo(
        f"\nexport REQUESTS_CA_BUNDLE={files.ca_cert.resolve()}\nexport NODE_EXTRA_CA_CERTS={files.ca_cert.resolve()}"
    )
