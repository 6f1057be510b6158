"""The once-a-minute work of the server: closing-time check-out and event attendance."""

from __future__ import annotations

from datetime import datetime

from kiosk.background import ClosingTimeWatcher
from kiosk.events import EventInput, create_event, register
from kiosk.settings import load_settings
from kiosk.visits import manual_check_in
from kiosk.web.live import Broker
from tests.conftest import HELSINKI
from tests.factories import gen_member, visit_rows


def test_watcher_settles_attendance_and_closes_the_day(db, db_path, clock, tmp_path):
    settings = load_settings({"DATABASE": str(db_path)}, environ={}, instance=tmp_path)
    clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=HELSINKI))
    member_id, _token = gen_member(db, clock.now())
    event_id = create_event(
        db,
        EventInput(title="Työpaja", kind="työpaja", day="2026-11-26", starts="13:00", ends="15:00"),
        clock.now(),
        HELSINKI,
    )
    register(db, event_id, clock.now(), member_id=member_id)
    manual_check_in(db, member_id, clock.now())
    broker = Broker()
    watcher = ClosingTimeWatcher(settings, clock, broker)

    clock.set(datetime(2026, 11, 26, 14, 0, tzinfo=HELSINKI))
    assert watcher.run_once() == []
    [registration] = list(db.query("SELECT attended_at FROM event_registrations"))
    assert registration["attended_at"] is not None  # nobody scanned during it; still counted

    clock.set(datetime(2026, 11, 26, 22, 5, tzinfo=HELSINKI))
    assert watcher.run_once() == [visit_rows(db)[0]["id"]]
    assert visit_rows(db)[0]["checkout_method"] == "automatic"
