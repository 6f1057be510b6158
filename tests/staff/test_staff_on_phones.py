"""Staff pages for hosts on phones: roll call ticks, undoing a check-out, the CSV separator,
the mood scale and the heatmap's key."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.roll_call import ROLL_CALL_LIFETIME, accounted_visits, current_roll_call
from kiosk.visits import manual_check_in
from kiosk.web.charts import shade
from tests.factories import visit_rows
from tests.staff.conftest import post

STAFF_CSS = Path(__file__).resolve().parents[2] / "kiosk" / "web" / "static" / "css" / "staff.css"


def test_ticks_are_saved_shared_and_counted(host, admin, appdb, add, clock) -> None:
    anna = manual_check_in(appdb, add("Anna Virtanen"), clock.now())
    ville = manual_check_in(appdb, add("Ville Laine"), clock.now())
    assert post(host, "/staff/", "/staff/roll-call").status_code == 302
    call = current_roll_call(appdb, clock.now())
    assert call is not None and accounted_visits(appdb, call) == set()

    answer = post(
        host, "/staff/roll-call", "/staff/roll-call/tick", tick=f"{anna}:1"
    )  # without script: a plain post that comes back to the list
    assert answer.status_code == 302
    assert accounted_visits(appdb, call) == {anna}
    # The other host's page shows the tick and the one still missing.
    page = admin.get("/staff/roll-call").text
    assert "Still unaccounted for: 1 of 2" in page
    assert re.search(rf'id="visit-{anna}"[^>]*class="accounted"', page)
    assert f'value="{ville}:1"' in page and f'value="{anna}:0"' in page

    # A second host pressing "Fire roll call" during the same evacuation keeps the ticks.
    post(admin, "/staff/", "/staff/roll-call")
    assert current_roll_call(appdb, clock.now()) == call
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    fetched = admin.post(
        "/staff/roll-call/tick",
        data={"csrf_token": token, "tick": f"{ville}:1"},
        headers={"X-Requested-With": "fetch"},
    )
    assert fetched.json == {"visit_id": ville, "accounted": True, "unaccounted": 0}
    assert "Everyone is accounted for." in host.get("/staff/roll-call").text
    # Unticking is the same request with 0, and a made-up visit is refused.
    post(host, "/staff/roll-call", "/staff/roll-call/tick", tick=f"{ville}:0")
    assert accounted_visits(appdb, call) == {anna}
    assert post(host, "/staff/roll-call", "/staff/roll-call/tick", tick="99999:1").status_code == (
        404
    )
    assert post(host, "/staff/roll-call", "/staff/roll-call/tick", tick="nonsense").status_code == (
        400
    )
    # The next evacuation, hours later, starts with nobody ticked.
    clock.advance(seconds=ROLL_CALL_LIFETIME.total_seconds() + 60)
    post(host, "/staff/", "/staff/roll-call")
    assert current_roll_call(appdb, clock.now()) != call
    assert "Still unaccounted for: 2 of 2" in host.get("/staff/roll-call").text


def test_a_manual_check_out_can_be_undone_for_a_while(host, appdb, add, clock) -> None:
    visit = manual_check_in(appdb, add("Anna Virtanen"), clock.now())
    done = post(host, "/staff/", f"/staff/visits/{visit}/check-out")
    page = host.get(done.headers["Location"]).text
    assert "Anna Virtanen is checked out." in page and "Undo" in page
    again = post(host, "/staff/", f"/staff/visits/{visit}/undo-check-out")
    assert "Anna Virtanen is checked in again." in host.get(again.headers["Location"]).text
    [row] = visit_rows(appdb)
    assert row["checked_out_at"] is None
    # Not after the undo window.
    post(host, "/staff/", f"/staff/visits/{visit}/check-out")
    clock.advance(minutes=11)
    assert post(host, "/staff/", f"/staff/visits/{visit}/undo-check-out").status_code == 409


def test_csv_separator_follows_the_language_and_can_be_chosen(admin) -> None:
    page = admin.get("/staff/reports").text
    assert re.search(r'value="csv-comma"\s+checked', page)  # English page: comma by default
    admin.get("/language/fi")
    page = admin.get("/staff/reports").text
    assert re.search(r'value="csv-semicolon"\s+checked', page)
    semicolon = admin.get("/staff/reports/download?kind=visits&month=2026-11&delimiter=%3B")
    comma = admin.get("/staff/reports/download?kind=visits&month=2026-11&delimiter=%2C")
    assert semicolon.data.splitlines()[0].count(b";") > 3
    assert comma.data.splitlines()[0].count(b",") > 3 and b";" not in comma.data.splitlines()[0]
    bad = admin.get("/staff/reports/download?kind=visits&month=2026-11&delimiter=x")
    assert bad.status_code == 400


def test_the_mood_scale_is_explained_and_the_heatmap_has_a_key(host) -> None:
    page = host.get("/staff/stats").text
    assert "Great = 100" in page and "Really hard = 0" in page
    assert re.search(r'class="chart-legend"><span class="legend-end">People on average:', page)
    # The key's swatches are the heatmap's own colours (staff.css cannot drift from shade()).
    css = STAFF_CSS.read_text(encoding="utf-8")
    for step in range(5):
        colour = shade(step / 4, 1.0) if step else shade(0, 1.0)
        assert f".shade-{step} {{ background: {colour}; }}" in css
