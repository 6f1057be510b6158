"""``kiosk serve`` (the production server) and ``kiosk up`` (everything, for make run)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import click

from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.cli.memory import SERVER_ARENAS, limit_malloc_arenas
from kiosk.db import DatabaseUnavailable, checkpoint, connect


def _print_worker(app):
    """The print worker, or None when the printer setting cannot be used.

    Check-in must keep working whatever the printer setting says: a setting the code cannot
    use (a missing driver such as pycups, a malformed usb: id) is logged and shown as the
    printer's state on /healthz and the dashboard, and jobs wait until it is fixed.
    """
    from kiosk.db import connect
    from kiosk.printing.queue import PrintWorker, record_printer_state
    from printer.errors import PrinterError, PrinterSettingError
    from printer.transports import PrinterStatus

    clock = app.extensions["kiosk.clock"]
    settings = app.extensions["kiosk.settings"]
    try:
        return PrintWorker.from_settings(settings, lambda: connect(settings.database), clock)
    except (PrinterError, PrinterSettingError) as exc:
        logging.getLogger("kiosk.printer").error(
            "printing is off until KIOSK_PRINTER is fixed: %s", exc
        )
        db = connect(settings.database)
        try:
            record_printer_state(
                db, "printer", PrinterStatus("misconfigured", str(exc)), clock.now()
            )
        finally:
            db.close()
        return None


def _start_background(app) -> list:
    from kiosk.closing import ClosingTimeCheckOut
    from kiosk.db import connect
    from kiosk.notify.worker import NotifyWorker
    from kiosk.periodic import PeriodicTask
    from kiosk.privacy.retention import DailyRetention

    clock = app.extensions["kiosk.clock"]
    settings = app.extensions["kiosk.settings"]
    closing = ClosingTimeCheckOut(settings, clock, app.extensions["kiosk.broker"])
    notifier = NotifyWorker(lambda: connect(settings.database), settings, clock=clock)
    app.extensions["kiosk.notify_worker"] = notifier
    services = [
        PeriodicTask("closing-time check-out", 60.0, closing.run_once),
        PeriodicTask("daily retention", 3600.0, DailyRetention(settings, clock).run_once),
        notifier,
    ]
    worker = _print_worker(app)
    if worker is not None:
        app.extensions["kiosk.print_worker"] = worker
        services.append(worker)
    for service in services:
        service.start()
    return services


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default KIOSK_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default KIOSK_PORT, 8080).")
@pass_kiosk
def serve(kiosk: KioskContext, host: str | None, port: int | None) -> None:
    """Run the kiosk web app on waitress, with the print and notification workers."""
    limit_malloc_arenas(SERVER_ARENAS)  # first, before any thread allocates

    from kiosk.web import create_app
    from kiosk.web.server import serve as serve_guarded

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Built once; a setting the kiosk cannot use stops here, in one line. Waitress itself
    # reads X-Forwarded-For (trusted_proxy), so the app must not apply it again.
    settings = kiosk.settings.replace(persistent_connections=True)
    app = create_app({"SERVER_HANDLES_PROXY": True}, settings=settings)
    host = host or settings.host
    port = port or settings.port
    services = _start_background(app)
    click.echo(f"Tankkaamo kiosk on http://{host}:{port}/ (database {settings.database})")
    # systemd stops the service with SIGTERM: end like Ctrl+C, so the clean-up below runs.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        serve_guarded(app, settings, host, port)
    finally:
        for service in services:
            service.stop()
        _checkpoint(app.config["DATABASE"])


def _raise_keyboard_interrupt(*_args: object) -> None:
    raise KeyboardInterrupt


def _checkpoint(path: str) -> None:
    # A clean stop leaves no -wal file holding pages that erasure or retention rewrote.
    try:
        db = connect(path)
    except DatabaseUnavailable:
        return
    try:
        checkpoint(db)
    finally:
        db.close()


@click.command("up")
@click.option("--port", type=int, default=None, help="Port of the web app (default 8080).")
@pass_kiosk
def up(kiosk: KioskContext, port: int | None) -> None:
    """Start the web app and the scanner together (what ``make run`` does); Ctrl+C stops both."""
    settings = kiosk.settings
    port = port or settings.port
    env = dict(os.environ, KIOSK_SERVER_URL=f"http://127.0.0.1:{port}")
    exe = [sys.executable, "-m", "kiosk"]
    web = subprocess.Popen([*exe, "serve", "--port", str(port)], env=env)  # noqa: S603
    time.sleep(1.5)  # let the web app migrate and seed before the scanner posts
    scanner = subprocess.Popen([*exe, "scanner"], env=env)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    cards = settings.instance_path / "demo-cards"
    click.echo(
        f"\nOpen {base}/ — the demo members' QR cards are in {cards}"
        f"\nStaff dashboard: {base}/staff/ (create a login first: .venv/bin/kiosk staff add NAME)"
        "\nPress Ctrl+C to stop.\n"
    )
    children = [web, scanner]

    def stop(*_args: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    if web.returncode not in (0, None, -signal.SIGTERM):
        raise SystemExit(web.returncode)


def register(group: click.Group) -> None:
    """Add ``kiosk serve`` and ``kiosk up``."""
    group.add_command(serve)
    group.add_command(up)
