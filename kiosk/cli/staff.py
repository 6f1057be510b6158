"""``kiosk staff …``: staff logins for the dashboard."""

from __future__ import annotations

import os

import click

from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.errors import InvalidInput
from kiosk.staff_accounts import ROLES, create_staff


@click.group("staff")
def staff_group() -> None:
    """Manage staff logins."""


@staff_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="host", show_default=True)
@pass_kiosk
def add(kiosk: KioskContext, username: str, role: str) -> None:
    """Create a staff login. The password comes from a prompt, or KIOSK_NEW_PASSWORD."""
    password = os.environ.get("KIOSK_NEW_PASSWORD") or click.prompt(
        "Password (at least 12 characters)", hide_input=True, confirmation_prompt=True
    )
    try:
        user_id = create_staff(kiosk.db, username, password, role, kiosk.clock.now())
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {role} {username.strip().lower()} (id {user_id}).")


def register(group: click.Group) -> None:
    """Add ``kiosk staff``."""
    group.add_command(staff_group)
