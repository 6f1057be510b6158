"""Issue 7's "Done means", tried as a new user would on demo data, end to end:

a workshop today, three members register at the kiosk, name tags print on the emulated
printer, one member appears on the board and disappears at check-out, and the ``events`` and
``summary`` reports count the participants.
"""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.db import connect
from kiosk.demo.seed import seed_if_empty
from kiosk.printing import queue as print_queue
from kiosk.staff_accounts import create_staff
from kiosk.web import create_app
from tests.events.conftest import (
    PASSWORDS,
    at,
    join_action,
    log_in,
    post_form,
    scan_at_door,
)
from tests.printer.conftest import emu, emulator  # noqa: F401 - the emupos fixtures
from tests.web_helpers import visible_text


def report(kind: str) -> list[list[str]]:
    result = CliRunner().invoke(cli, ["report", "2026-11", "--kind", kind])
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))


def test_done_means(tmp_path, clock, emu, monkeypatch) -> None:  # noqa: F811
    clock.set(at(12, 30))
    app = create_app(
        {
            "DATABASE": str(tmp_path / "kiosk.db"),
            "CLOCK": clock,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DEMO_DATA": False,
            "PRINTER": emu.setting("p80"),
        }
    )
    db = connect(app.config["DATABASE"])
    # Demo data as `make run` seeds it: members, past visits, a workshop today, a peer group.
    seed_if_empty(db, clock.now(), tmp_path / "demo-cards", app.extensions["kiosk.settings"])
    workshop, peer_group = [r["id"] for r in db.query("SELECT id FROM events ORDER BY starts_at")]
    create_staff(db, "hanna", PASSWORDS["host"], "host", clock.now())
    cards = (tmp_path / "demo-cards" / "tokens.txt").read_text().split()
    anna, mikko, elsa = cards[0], cards[1], cards[2]

    door = app.test_client()
    assert "Somemarkkinoinnin työpaja" in visible_text(door.get("/").text)

    # Three members register at the kiosk: two before the workshop, one arriving late.
    for card, when in ((anna, at(12, 30)), (elsa, at(12, 35)), (mikko, at(13, 5))):
        clock.set(when)
        url, html = scan_at_door(door, card)
        action = join_action(html, workshop)
        assert action, "the greeting offers today's workshop"
        assert "ev=joined" in post_form(door, url, action).location
        if card == anna:
            board_action = f"{url}/board"
            post_form(door, url, board_action, show="1", topic=["digi"])

    board = visible_text(door.get("/board").text)
    assert "Anna" in board and "Virtasen Puutarhapalvelu" in board and "Digi" in board
    assert "Mikko" not in board and "Elsa" not in board

    # The host prints the name tags with one tap; they come out of the emulated printer.
    clock.set(at(13, 10))
    host = log_in(app, "host")
    before = len(emu.receipts("p80"))
    page = f"/staff/events/{workshop}"
    tapped = post_form(host, page, f"{page}/name-tags")
    assert "printed=3" in tapped.location
    transport = print_queue.transport_from_settings(app.extensions["kiosk.settings"])
    result = print_queue.process_due(db, transport, clock.now(), width=80)
    assert result.printed == 3
    assert len(emu.wait_for_receipts("p80", before + 3)) >= before + 3
    statuses = [
        row["status"] for row in db.query("SELECT status FROM print_jobs WHERE kind = 'name_tag'")
    ]
    assert statuses == ["done"] * 3

    # Anna checks out; the board forgets her at once.
    clock.set(at(15, 0))
    scan_at_door(door, anna)
    assert "Anna" not in visible_text(door.get("/board").text)

    # The reports count the participants (the workshop's three) for the funder.
    monkeypatch.setenv("KIOSK_DATABASE", app.config["DATABASE"])
    events_rows = report("events")
    header, rows = events_rows[0], {int(row[0]): row for row in events_rows[1:]}
    registered, attended = header.index("Ilmoittautuneet"), header.index("Osallistuneet")
    assert rows[workshop][registered] == "3" and rows[workshop][attended] == "3"
    assert rows[peer_group][registered] == "0" and rows[peer_group][attended] == "0"
    summary = report("summary")
    totals = dict(zip(summary[0], summary[1], strict=True))
    assert totals["Tapahtumat"] == "2"
    assert totals["Tapahtumiin osallistuneet"] == "3"
    assert totals["Tapahtumaosallistumiset"] == "3"
    print("\n".join(",".join(row) for row in [*events_rows, *summary]))
    db.close()
