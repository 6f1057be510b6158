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


# Each module adds its commands to the group in register(group); one module, one area. The
# names say which module adds which top-level commands, so that a command loads only its own
# area: ``kiosk scanner`` (a process that runs for months) then holds none of the libraries
# that reports, printing and staff accounts need, 12 MB resident. A module that adds to
# another module's group (privacy adds ``member export``) names that group too, and comes
# after it. tests/test_cli_loading.py checks these names against what register() adds.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "kiosk.cli.server": ("serve", "up"),
    "kiosk.cli.database": ("db",),
    "kiosk.cli.members": ("member",),
    "kiosk.cli.privacy": ("member", "research-export", "retention"),
    "kiosk.cli.staff": ("staff",),
    "kiosk.cli.scanner": ("scanner", "scan-image"),
    "kiosk.cli.printer": ("printer",),
    "kiosk.cli.reports": ("report",),
    "kiosk.cli.backup": ("backup", "restore"),
    "kiosk.cli.notify": ("notify",),
}


def modules_for(name: str) -> list[str]:
    """The command modules that make up top-level command ``name``, in registration order."""
    names = {n for names in COMMAND_MODULES.values() if name in names for n in names}
    return [module for module, adds in COMMAND_MODULES.items() if names & set(adds)]


class KioskGroup(click.Group):
    """The command group; it loads a command's module when the command is first asked for.

    A database that stays busy ends a command with one clear line.
    """

    def _load(self, modules: list[str]) -> None:
        loaded: set[str] = self.__dict__.setdefault("_loaded", set())
        for module in modules:
            if module not in loaded:
                loaded.add(module)
                importlib.import_module(module).register(self)

    def load_all(self) -> None:
        """Load every command, e.g. to walk ``self.commands``."""
        self._load(list(COMMAND_MODULES))

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every top-level command name, without loading any command."""
        return sorted({name for names in COMMAND_MODULES.values() for name in names})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, its module loaded now if it was not yet."""
        self._load(modules_for(cmd_name))
        return super().get_command(ctx, cmd_name)

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


@click.group(cls=KioskGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Tankkaamo kiosk: visitor check-in for Yritystankkaamo."""
    kiosk = ctx.ensure_object(KioskContext)
    ctx.call_on_close(kiosk.close)


def main() -> None:
    """Entry point of the ``kiosk`` console script."""
    cli(prog_name="kiosk")
