"""The ``kiosk`` command: a thin click layer over the domain, the scanner and the printer."""

from __future__ import annotations

import importlib

import click

from kiosk.cli.context import KioskContext

# Each module adds its commands to the group in register(group); one module, one area.
COMMAND_MODULES = [
    "kiosk.cli.server",
    "kiosk.cli.database",
    "kiosk.cli.members",
    "kiosk.cli.privacy",
    "kiosk.cli.staff",
    "kiosk.cli.scanner",
    "kiosk.cli.printer",
    "kiosk.cli.reports",
    "kiosk.cli.backup",
    "kiosk.cli.notify",
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Tankkaamo kiosk: visitor check-in for Yritystankkaamo."""
    kiosk = ctx.ensure_object(KioskContext)
    ctx.call_on_close(kiosk.close)


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(cli)


def main() -> None:
    """Entry point of the ``kiosk`` console script."""
    cli(prog_name="kiosk")
