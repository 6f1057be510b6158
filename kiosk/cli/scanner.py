"""CLI commands for the scanner: ``kiosk scanner`` and ``kiosk scan-image`` (thin over scanner/)."""

from __future__ import annotations

import json
import logging
import signal
import socket
from pathlib import Path

import click

from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.cli.memory import SCANNER_ARENAS, limit_malloc_arenas


@click.command("scanner")
@click.option("--camera", "camera", default=None, help="Source spec; default KIOSK_CAMERA.")
@click.option("--list-cameras", is_flag=True, help="List /dev/video* and what OpenCV opens.")
@click.option("--server", default=None, help="Kiosk server URL; default KIOSK_SERVER_URL.")
@click.option("--name", default=None, help="Device name in health reports (default: host name).")
@click.option(
    "--preview-port",
    type=int,
    default=None,
    help="Port of the MJPEG preview; default KIOSK_PREVIEW_PORT or 8081, 0 turns it off.",
)
@click.option(
    "--window", type=float, default=None, help="Seconds a code is ignored after a scan (3)."
)
@pass_kiosk
def scanner_command(
    kiosk: KioskContext,
    camera: str | None,
    list_cameras: bool,
    server: str | None,
    name: str | None,
    preview_port: int | None,
    window: float | None,
) -> None:
    """Run the scanner loop, posting each card scan to the kiosk server.

    SOURCE is a device index or /dev/videoN, a video file, an image folder, 'simulated'
    (the demo cards in <instance>/demo-cards/tokens.txt), 'simulated:TOKENS.txt' or 'none'.
    With an image folder or a video file the command exits once every frame is delivered.
    """
    limit_malloc_arenas(SCANNER_ARENAS)  # first, before any thread allocates
    from scanner import sources

    if list_cameras:
        cameras = sources.list_cameras()
        if not cameras:
            click.echo("no /dev/video* devices; KIOSK_CAMERA=simulated shows demo cards")
        for info in cameras:
            click.echo(f"{info.device}\t{'opens' if info.opens else 'no'}\t{info.detail}")
        return

    from scanner.attention import Attention
    from scanner.debounce import Debouncer
    from scanner.delivery import ApiClient, DeliveryQueue
    from scanner.health import HealthReporter
    from scanner.loop import ScannerLoop
    from scanner.preview import PreviewServer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s scanner %(message)s")
    settings = kiosk.settings
    spec = settings.camera if camera is None else camera
    instance = settings.instance_path
    client = ApiClient(server or settings.server_url, settings.device_token)
    health = HealthReporter(client, name or f"scanner@{socket.gethostname()}")
    queue = DeliveryQueue(client).start()
    port = int(settings.preview_port if preview_port is None else preview_port)
    preview = None
    if port:
        host = str(settings.preview_host)
        try:
            preview = PreviewServer(host, port).start()
        except OSError as exc:  # a busy port must not stop people from checking in
            click.echo(f"preview disabled: cannot listen on {host}:{port}: {exc}", err=True)
    seconds = float(settings.scan_window_seconds if window is None else window)
    loop = ScannerLoop(
        open_source=lambda: sources.open_source(spec, instance),
        emit=queue.put,
        debouncer=Debouncer(seconds),
        on_state=health.set,
        on_frame=preview.publish if preview else None,
        attention=Attention(idle_fps=settings.scanner_idle_fps),
    )
    health.progress_age = loop.progress_age
    health.start()
    signal.signal(signal.SIGTERM, lambda *_: loop.stop())
    try:
        loop.run()
    except sources.BadSourceSpec as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        pass
    finally:
        # A finite source (folder, file) ends here: give the queue time to reach the server.
        if not queue.flush(timeout=10.0):
            click.echo(f"{len(queue)} scans not delivered: server unreachable", err=True)
        queue.stop()
        health.stop()
        if preview:
            preview.stop()


@click.command("scan-image")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def scan_image_command(files: tuple[str, ...], as_json: bool) -> None:
    """Decode the QR codes in image files with the production decoder.

    Prints FILE<TAB>TEXT for each code found and FILE<TAB> for an image with none; with --json,
    one {"file": FILE, "codes": [...]} object a line. Exits 1 if a file is not a readable image.
    """
    from scanner.decode import UnreadableImage, decode_file

    failed = False
    for name in files:
        try:
            codes = decode_file(Path(name))
        except (UnreadableImage, OSError) as exc:
            click.echo(f"error: {exc}", err=True)
            failed = True
            continue
        if as_json:
            click.echo(json.dumps({"file": name, "codes": codes}, ensure_ascii=False))
        elif codes:
            for text in codes:
                click.echo(f"{name}\t{text}")
        else:
            click.echo(f"{name}\t")
    if failed:
        raise SystemExit(1)


def register(group: click.Group) -> None:
    """Add this area's commands to the ``kiosk`` group."""
    group.add_command(scanner_command)
    group.add_command(scan_image_command)
