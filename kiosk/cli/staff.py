"""``kiosk staff …``: staff logins for the dashboard."""

from __future__ import annotations

import json
import os

import click

from kiosk import audit
from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.errors import InvalidInput
from kiosk.notify.addresses import clean_email
from kiosk.notify.staff_choices import set_email
from kiosk.staff_accounts import (
    ROLES,
    create_staff,
    disable_staff,
    list_staff,
    set_password_by_name,
    unlock_staff,
)


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


def _new_password() -> str:
    return os.environ.get("KIOSK_NEW_PASSWORD") or click.prompt(
        "New password (at least 12 characters)", hide_input=True, confirmation_prompt=True
    )


@staff_group.command("password")
@click.argument("username")
@pass_kiosk
def password(kiosk: KioskContext, username: str) -> None:
    """Set a new password (prompt, or KIOSK_NEW_PASSWORD) and end that person's sessions."""
    try:
        set_password_by_name(kiosk.db, username, _new_password(), kiosk.clock.now())
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record(kiosk.db, kiosk.clock.now(), "cli", "staff.password", f"staff:{username}")
    click.echo(f"New password set for {username.strip().lower()}; their sessions have ended.")


@staff_group.command("unlock")
@click.argument("username")
@pass_kiosk
def unlock(kiosk: KioskContext, username: str) -> None:
    """Lift a lockout after too many wrong passwords."""
    try:
        unlock_staff(kiosk.db, username)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record(kiosk.db, kiosk.clock.now(), "cli", "staff.unlock", f"staff:{username}")
    click.echo(f"Unlocked {username.strip().lower()}.")


@staff_group.command("disable")
@click.argument("username")
@pass_kiosk
def disable(kiosk: KioskContext, username: str) -> None:
    """Turn a login off and end its sessions."""
    try:
        disable_staff(kiosk.db, username, kiosk.clock.now())
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record(kiosk.db, kiosk.clock.now(), "cli", "staff.disable", f"staff:{username}")
    click.echo(f"Disabled {username.strip().lower()}; their sessions have ended.")


@staff_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of objects.")
@pass_kiosk
def list_command(kiosk: KioskContext, as_json: bool) -> None:
    """List staff logins with role, email, and whether locked or disabled."""
    rows = list_staff(kiosk.db, kiosk.clock.now())
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        state = ", ".join(
            word for word, on in (("locked", row["locked"]), ("disabled", row["disabled"])) if on
        )
        click.echo(f"{row['username']}\t{row['role']}\t{row['email'] or ''}\t{state}")


def register(group: click.Group) -> None:
    """Add ``kiosk staff``."""
    group.add_command(staff_group)
