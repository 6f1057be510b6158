"""``kiosk staff …``: staff logins for the dashboard."""

from __future__ import annotations

import os

import click

from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.errors import InvalidInput
from kiosk.notify.addresses import clean_email
from kiosk.notify.staff_choices import set_email
from kiosk.staff_accounts import ROLES, create_staff


@click.group("staff")
def staff_group() -> None:
    """Manage staff logins."""


@staff_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="host", show_default=True)
@click.option("--email", default=None, help="Where this person's notifications go.")
@pass_kiosk
def add(kiosk: KioskContext, username: str, role: str, email: str | None) -> None:
    """Create a staff login. The password comes from a prompt, or KIOSK_NEW_PASSWORD."""
    if email is not None:
        try:
            email = clean_email(email)  # refused before anything is created
        except InvalidInput as exc:
            raise click.ClickException(str(exc)) from exc
    password = os.environ.get("KIOSK_NEW_PASSWORD") or click.prompt(
        "Password (at least 12 characters)", hide_input=True, confirmation_prompt=True
    )
    try:
        user_id = create_staff(kiosk.db, username, password, role, kiosk.clock.now())
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from exc
    if email:
        set_email(kiosk.db, user_id, email)
    click.echo(f"Created {role} {username.strip().lower()} (id {user_id}).")


def register(group: click.Group) -> None:
    """Add ``kiosk staff``."""
    group.add_command(staff_group)
