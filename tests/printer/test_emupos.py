"""Real ESC/POS: badges sent through python-escpos' Network to emupos, read back as receipts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image, ImageChops

from kiosk.printing.queue import enqueue, get_job, printer_state, process_due
from printer.badge import BadgeContent, render_badge
from printer.errors import PaperOut, PrinterUnavailable
from printer.transports import open_transport
from printer.transports.network import NetworkTransport

NAME = "Äijälä-Öörni Åsa-Ženja 王芳"
TOKEN = "g_3kQ9vXb2LmT7pW8rYz1aBc"


def _badge() -> BadgeContent:
    return BadgeContent(
        first_name="Äijälä-Öörni",
        name=NAME,
        company="Юлия Петрова · محمد",
        host="Sanna Virtanen",
        date_text="to 26.11.2026",
        token=TOKEN,
    )


def _unknown_commands(log: str) -> list[str]:
    return [line for line in log.splitlines() if "printer.command.unknown" in line]


def _same_pixels(printed: Image.Image, drawn: Image.Image) -> bool:
    # emupos drops the trailing paper feed, so the receipt may be shorter than the drawing, but
    # never taller; what was printed must be the drawing dot for dot.
    top = drawn.convert("1").crop((0, 0, drawn.width, printed.height))
    return ImageChops.difference(printed.convert("L"), top.convert("L")).getbbox() is None


@pytest.mark.parametrize(("device", "width", "dots"), [("p80", 80, 576), ("p58", 58, 384)])
def test_badge_prints_as_the_drawn_image_and_its_qr_scans(emu, device, width, dots):
    before = len(emu.receipts(device))
    transport = open_transport(emu.setting(device), cut=width == 80)
    drawn = render_badge(_badge(), width)

    transport.print_image(drawn)

    receipts = emu.wait_for_receipts(device, before + 1)
    assert len(receipts) == before + 1
    meta = receipts[0]
    assert meta["width_dots"] == dots
    printed = emu.image(device, str(meta["id"]))
    assert printed.width == dots
    assert printed.height > dots // 2  # a badge, not an empty strip
    assert _same_pixels(printed, drawn)
    codes = zxingcpp.read_barcodes(printed.convert("L"))
    assert [code.text for code in codes if code.format == zxingcpp.BarcodeFormat.QRCode] == [TOKEN]


def test_no_unknown_commands_were_sent(emu):
    transport = open_transport(emu.setting("p80"))
    before = len(emu.receipts("p80"))
    transport.print_image(render_badge(_badge(), 80))
    emu.wait_for_receipts("p80", before + 1)
    log = emu.log()
    assert "printer.job.completed" in log  # the log is the event stream, so silence means none
    assert _unknown_commands(log) == []


def test_status_follows_the_printers_faults(emu):
    transport = open_transport(emu.setting("p80"))
    assert transport.status().state == "ready"
    emu.set_fault("p80", "paper-out")
    assert transport.status().state == "paper_out"
    with pytest.raises(PaperOut):
        transport.check_ready()
    emu.clear_fault("p80", "paper-out")
    emu.set_fault("p80", "offline")
    assert transport.status().state == "offline"
    with pytest.raises(PrinterUnavailable):
        transport.check_ready()
    emu.clear_fault("p80", "offline")
    emu.set_fault("p80", "paper-near-end")
    assert transport.status().state == "paper_low"
    assert transport.check_ready().can_print


@pytest.mark.parametrize(("fault", "state"), [("paper-out", "paper_out"), ("offline", "offline")])
def test_queued_badge_waits_for_a_fault_and_prints_when_it_clears(emu, db, clock, fault, state):
    transport = open_transport(emu.setting("p80"))
    before = len(emu.receipts("p80"))
    job_id = enqueue(db, "guest_badge", _badge().to_payload(), clock.now())
    emu.set_fault("p80", fault)

    result = process_due(db, transport, clock.now())

    assert result.waiting == 1 and result.printed == 0
    job = get_job(db, job_id)
    assert job["status"] == "pending"
    assert job["last_error"]
    assert printer_state(db)["state"] == state
    assert len(emu.receipts("p80")) == before  # held in our queue, not in the printer

    emu.clear_fault("p80", fault)
    clock.advance(seconds=10)
    result = process_due(db, transport, clock.now())

    assert result.printed == 1
    job = get_job(db, job_id)
    assert job["status"] == "done" and job["printed_at"]
    assert printer_state(db)["state"] == "ready"
    receipts = emu.wait_for_receipts("p80", before + 1)
    codes = zxingcpp.read_barcodes(emu.image("p80", str(receipts[0]["id"])).convert("L"))
    assert TOKEN in [code.text for code in codes]


def test_unreachable_printer_leaves_the_job_waiting(db, clock):
    transport = NetworkTransport("127.0.0.1", _closed_port())
    job_id = enqueue(db, "guest_badge", _badge().to_payload(), clock.now())

    result = process_due(db, transport, clock.now())

    assert result.waiting == 1
    job = get_job(db, job_id)
    assert job["status"] == "pending"
    assert re.search("cannot reach", job["last_error"])
    assert printer_state(db)["state"] == "offline"
    # Not due again until the retry time.
    assert process_due(db, transport, clock.now()).waiting == 0
    clock.advance(seconds=timedelta(minutes=1).total_seconds())
    assert process_due(db, transport, clock.now()).waiting == 1


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends
