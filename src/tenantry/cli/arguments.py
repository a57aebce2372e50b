"""Every argument of every command passes one check before the command runs: no control characters.

The same rule as Graph's (`tenantry.common.text`: TAB, LF and CR are allowed in values, other C0 controls
and DEL are not). A shell cannot pass NUL in an argument, but other controls it can, and nothing the CLI
stores means them. The refusal names the option, never the value (it may be a password).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

from tenantry.cli.output import fail
from tenantry.common.text import code_point, control_character


def _option_of(args: list[str], index: int) -> str:
    """The option an argument belongs to (`--name` for `--name=x` or `--name x`), else its position."""
    arg = args[index]
    if arg.startswith("-") and "=" in arg:
        return arg.split("=", 1)[0]
    if index > 0 and args[index - 1].startswith("-"):
        return args[index - 1]
    return f"argument {index + 1}"


class CheckedGroup(TyperGroup):
    """The root command group: refuses an argument holding a control character (exit 2, one line)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Check the whole command line (subcommands and their options included), then parse as usual.

        `ctx` is Typer's vendored click context (`typer._click`, private), hence `Any`."""
        for index, arg in enumerate(args):
            if character := control_character(arg, value=True):
                where = _option_of(args, index)
                raise fail(f"{where} contains the control character {code_point(character)}", code=2)
        return super().parse_args(ctx, args)
