"""`tenantry keys list|rotate`: the token-signing keys."""

from __future__ import annotations

import typer

from tenantry.cli.context import services
from tenantry.cli.output import JSON_OPTION, print_json, print_table
from tenantry.cli.views import iso

app = typer.Typer(help="Manage token-signing keys.", no_args_is_help=True)


@app.command("list")
def list_(as_json: bool = JSON_OPTION) -> None:
    """Every key with its schedule."""
    svc = services()
    now = svc.clock.now()
    views = [
        {
            "kid": k.kid,
            "createdDateTime": iso(k.created_at),
            "activatesDateTime": iso(k.activates_at),
            "retiresDateTime": iso(k.retires_at) if k.retires_at else None,
            "signing": k.can_sign(now),
            "published": k.is_published(now),
        }
        for k in svc.keys.list_keys()
    ]
    if as_json:
        print_json(views)
    else:
        print_table("Signing keys", tuple(views[0]) if views else ("kid",), [tuple(v.values()) for v in views])


@app.command("rotate")
def rotate(as_json: bool = JSON_OPTION) -> None:
    """Publish a new key now; it starts signing after the activation delay."""
    key = services().keys.rotate()
    view = {"kid": key.kid, "activatesDateTime": iso(key.activates_at)}
    print_json(view) if as_json else typer.echo(
        f"New key {key.kid} is published and signs from {view['activatesDateTime']}."
    )
