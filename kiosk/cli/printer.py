"""``kiosk printer …``: test the printer, ask its status, draw a sample badge."""

from __future__ import annotations

import json

import click

from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.printing.queue import (
    printer_state,
    printer_width,
    record_printer_state,
    refresh_status,
    transport_from_settings,
)
from printer.badge import badge_date_text, render_badge, sample_badge_content
from printer.errors import PrinterError, PrinterSettingError
from printer.transports import PrinterStatus, Transport


def _transport(kiosk: KioskContext) -> Transport:
    try:
        return transport_from_settings(kiosk.settings)
    except (PrinterSettingError, PrinterError) as exc:
        raise click.ClickException(str(exc)) from exc


def _width(kiosk: KioskContext, width: int | None) -> int:
    try:
        return width or printer_width(kiosk.settings)
    except PrinterSettingError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group("printer")
def printer_group() -> None:
    """The badge printer (KIOSK_PRINTER)."""


@printer_group.command("test")
@click.option("--width", type=click.Choice(["58", "80"]), help="Paper width in mm.")
@pass_kiosk
def test_command(kiosk: KioskContext, width: str | None) -> None:
    """Print a test badge now; fail with a clear message if the printer cannot be reached."""
    transport = _transport(kiosk)
    paper = _width(kiosk, int(width) if width else None)
    now = kiosk.clock.now()
    local = now.astimezone(kiosk.settings.tz)
    content = sample_badge_content(
        f"{badge_date_text(local)} {local:%H:%M}", detail=f"{transport.kind} · {paper} mm"
    )
    try:
        status = transport.check_ready()
        transport.print_image(render_badge(content, paper), label="test")
    except PrinterError as exc:
        record_printer_state(kiosk.db, transport.kind, PrinterStatus(exc.state, str(exc)), now)
        raise click.ClickException(f"the printer cannot print ({exc.state}): {exc}") from exc
    record_printer_state(
        kiosk.db,
        transport.kind,
        status if status.state != "unknown" else PrinterStatus("ready", "test badge sent"),
        now,
    )
    click.echo(f"Test badge sent to {transport} ({paper} mm paper).")
    if status.state == "paper_low":
        click.echo("Note: the paper roll is nearly empty.")


@printer_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_kiosk
def status_command(kiosk: KioskContext, as_json: bool) -> None:
    """Ask the printer how it is, and show the jobs waiting."""
    transport = _transport(kiosk)
    status = refresh_status(kiosk.db, transport, kiosk.clock.now())
    state = printer_state(kiosk.db) or {}
    if as_json:
        click.echo(
            json.dumps(
                {
                    "printer": str(transport),
                    "state": status.state,
                    "detail": status.detail,
                    "pending": state.get("pending", 0),
                }
            )
        )
        return
    click.echo(f"{transport}: {status.state}" + (f" ({status.detail})" if status.detail else ""))
    click.echo(f"jobs waiting: {state.get('pending', 0)}")


@printer_group.command("sample")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--width", type=click.Choice(["58", "80"]), default="80", show_default=True)
@pass_kiosk
def sample_command(kiosk: KioskContext, out: str, width: str) -> None:
    """Draw the test badge into a PNG file, without a printer."""
    local = kiosk.clock.now().astimezone(kiosk.settings.tz)
    render_badge(sample_badge_content(badge_date_text(local)), int(width)).save(out)
    click.echo(out)


def register(group: click.Group) -> None:
    """Add this area's commands to the ``kiosk`` group."""
    group.add_command(printer_group)
