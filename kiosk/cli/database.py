"""``kiosk db …``: schema management."""

from __future__ import annotations

import click

from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.migrations import apply_migrations


@click.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("migrate")
@pass_kiosk
def migrate(kiosk: KioskContext) -> None:
    """Apply pending migrations; changes nothing else and is safe to run at any time."""
    from kiosk.db import connect

    db = connect(kiosk.settings.database)
    try:
        applied = apply_migrations(db)
    finally:
        db.close()
    if applied:
        click.echo(f"Applied {len(applied)} migration(s): {', '.join(applied)}")
    else:
        click.echo("The database is up to date.")


def register(group: click.Group) -> None:
    """Add ``kiosk db`` to the group."""
    group.add_command(db_group)
