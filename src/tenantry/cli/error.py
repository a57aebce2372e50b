"""`tenantry error explain CODE`: the same text as `/error?code=N`."""

from __future__ import annotations

import typer

from tenantry.cli.output import JSON_OPTION, console, fail, print_json
from tenantry.errors import find_spec
from tenantry.errors.render import lookup_document

app = typer.Typer(help="Look up AADSTS error codes.", no_args_is_help=True)


@app.command("explain")
def explain(
    code: str = typer.Argument(..., help="The code, with or without the AADSTS prefix."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Explain an AADSTS code."""
    digits = code.upper().removeprefix("AADSTS")
    spec = find_spec(int(digits)) if digits.isascii() and digits.isdigit() and len(digits) <= 10 else None
    if spec is None:
        raise fail(f"AADSTS{digits} is not an error code Tenantry knows", code=2)
    doc = lookup_document(spec)
    if as_json:
        print_json(doc)
        return
    console.print(f"[bold]AADSTS{doc['code']}[/]: {doc['name']}  ([cyan]{doc['error']}[/])")
    console.print(f"\n{doc['description']}\n\n[bold]What to do:[/] {doc['remedy']}")
