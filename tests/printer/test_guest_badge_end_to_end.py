"""A guest signs in at the door, the badge comes out of the emulated printer, its QR checks out.

The whole path as a person meets it: the door's guest form (CSRF on), the print queue and its
worker, python-escpos over the network to emupos, the receipt image read back from the
emulator, the production decoder on that image, and the scan of the decoded code.
"""

from __future__ import annotations

import re

import numpy as np

from kiosk.db import connect
from kiosk.printing.queue import process_due, transport_from_settings
from kiosk.web import create_app
from scanner.decode import decode_production
from tests.web_helpers import csrf_token, visible_text

NAME = "Äijälä-Öörni Åsa-Ženja 王芳"


def test_guest_badge_prints_on_the_emulator_and_its_qr_checks_the_guest_out(emu, tmp_path, clock):
    app = create_app(
        {
            "INSTANCE_PATH": tmp_path / "instance",
            "DATABASE": str(tmp_path / "kiosk.db"),
            "CLOCK": clock,
            "DEMO_DATA": False,
            "PRINTER": emu.setting("p80"),
        }
    )
    door = app.test_client()
    before = len(emu.receipts("p80"))
    signed = door.post(
        "/guest",
        data={
            "name": NAME,
            "company": "Ääkköset Ky",
            "consent": "1",
            "csrf_token": csrf_token(door, "/guest"),
        },
    )
    assert signed.status_code == 302
    greeting = visible_text(door.get(signed.location).text)
    assert "Äijälä-Öörni!" in greeting and "Åsa-Ženja" not in greeting  # first name only

    # What the print worker in `kiosk serve` does once a second.
    db = connect(app.config["DATABASE"])
    try:
        process_due(
            db, transport_from_settings(app.extensions["kiosk.settings"]), clock.now(), width=80
        )
        [job] = list(db.query("SELECT kind, status, last_error FROM print_jobs"))
        assert job == {"kind": "guest_badge", "status": "done", "last_error": None}
    finally:
        db.close()

    receipt = emu.wait_for_receipts("p80", before + 1)[0]  # newest first
    printed = emu.image("p80", str(receipt["id"]))
    assert printed.width == 576
    [code] = decode_production(np.array(printed.convert("L")))
    assert re.fullmatch(r"TK1-[A-Za-z0-9_-]{24}", code)

    clock.advance(hours=2)
    checked_out = app.test_client().post(
        "/api/v1/scans",
        json={"code": code},
        headers={"Authorization": f"Bearer {app.config['DEVICE_TOKEN']}"},
    )
    assert checked_out.json["result"] == "checked_out"
    assert checked_out.json["first_name"] == "Äijälä-Öörni"
