"""``kiosk notify …``: try the notification channels."""

from __future__ import annotations

import click

from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.errors import InvalidInput
from kiosk.notify.probe import NothingToTest, send_test


@click.group("notify")
def notify_group() -> None:
    """Host notifications (KIOSK_SMTP_URL, KIOSK_MAIL_FROM, KIOSK_NOTIFY_AREA)."""


@notify_group.command("test")
@click.option("--to", "to", metavar="ADDRESS", help="An email address or a Teams Workflows URL.")
@pass_kiosk
def test_command(kiosk: KioskContext, to: str | None) -> None:
    """Send a test message now to ADDRESS, or to every KIOSK_NOTIFY_AREA destination.

    Exits non-zero, saying why, when any destination does not accept it.
    """
    try:
        results = send_test(kiosk.db, kiosk.settings, kiosk.clock.now(), to)
    except (InvalidInput, NothingToTest) as exc:
        raise click.ClickException(str(exc)) from exc
    failed = [r for r in results if r.error]
    for result in results:
        if result.error:
            click.echo(f"NOT SENT to {result.destination}: {result.error}", err=True)
        else:
            click.echo(f"sent to {result.destination} ({result.channel})")
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(results)} test messages not sent")


def register(group: click.Group) -> None:
    """Add ``kiosk notify``."""
    group.add_command(notify_group)
