"""The ``kiosk`` command: a thin click layer over the domain, the scanner and the printer."""

from __future__ import annotations

import importlib
import sqlite3
from typing import Any

import click

from kiosk.cli.context import KioskContext
from kiosk.db import DatabaseUnavailable

# What SQLite says when another process holds the database for longer than the busy timeout.
_UNAVAILABLE_MARKERS = ("locked", "busy", "disk is full", "unable to open")


class KioskGroup(click.Group):
    """The command group; a database that stays busy ends a command with one clear line."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn "database busy" into a message and a non-zero exit."""
        try:
            return super().invoke(ctx)
        except DatabaseUnavailable as exc:
            raise click.ClickException(f"{exc}; please try again in a moment") from None
        except sqlite3.OperationalError as exc:
            if not any(marker in str(exc).lower() for marker in _UNAVAILABLE_MARKERS):
                raise
            raise click.ClickException(
                f"the database is busy or unavailable ({exc}); please try again in a moment"
            ) from None


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


@click.group(cls=KioskGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
