"""Fire roll call: one tap lists everyone present and queues the list on the printer."""

from __future__ import annotations

import json

from kiosk.roll_call import print_payload, roll_call
from kiosk.visits import close_visit, manual_check_in
from printer.jobs import parse_payload
from tests.staff.conftest import post


def test_one_tap_prints_and_shows_everyone_present(host, appdb, add, clock) -> None:
    manual_check_in(appdb, add("Ville Laine", company="Laine Media"), clock.now())
    manual_check_in(appdb, add("Anna Virtanen"), clock.advance(minutes=20))
    left = manual_check_in(appdb, add("Mikko Gone"), clock.now())
    close_visit(appdb, left, clock.advance(minutes=5), "card")

    response = post(host, "/staff/", "/staff/roll-call")
    assert response.status_code == 302
    jobs = list(appdb.query("SELECT * FROM print_jobs"))
    assert [job["kind"] for job in jobs] == ["roll_call"]
    payload = json.loads(jobs[0]["payload"])
    parse_payload("roll_call", payload)  # the printer accepts it
    assert [(p["name"], p["checked_in"]) for p in payload["people"]] == [
        ("Anna Virtanen", "10:20"),
        ("Ville Laine", "10:00"),
    ]
    page = host.get(response.headers["Location"]).text
    assert "Anna Virtanen" in page and "Ville Laine" in page and "Mikko Gone" not in page
    assert "2 people present" in page and "sent to the badge printer" in page
    audit = list(appdb.query("SELECT action, details FROM audit_log WHERE action LIKE 'roll%'"))
    assert audit[0]["action"] == "roll_call.print" and '"people": 2' in audit[0]["details"]


def test_roll_call_when_nobody_is_in(host, appdb, clock) -> None:
    assert "Nobody is checked in." in host.get("/staff/roll-call").text
    payload = print_payload(roll_call(appdb, clock.now().tzinfo), clock.now(), clock.now().tzinfo)
    assert payload["people"] == []
