"""Background work: closing-time check-out, event attendance, and the periodic-task helper."""

from __future__ import annotations

from datetime import datetime

from kiosk.closing import ClosingTimeCheckOut
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
    watcher = ClosingTimeCheckOut(settings, clock, broker)

    clock.set(datetime(2026, 11, 26, 14, 0, tzinfo=HELSINKI))
    assert watcher.run_once() == []
    [registration] = list(db.query("SELECT attended_at FROM event_registrations"))
    assert registration["attended_at"] is not None  # nobody scanned during it; still counted

    clock.set(datetime(2026, 11, 26, 22, 5, tzinfo=HELSINKI))
    assert watcher.run_once() == [visit_rows(db)[0]["id"]]
    assert visit_rows(db)[0]["checkout_method"] == "automatic"


def test_a_periodic_task_survives_a_failing_pass_and_a_busy_database():
    import threading

    from kiosk.db import DatabaseUnavailable
    from kiosk.periodic import PeriodicTask

    passes: list[str] = []
    third = threading.Event()

    def flaky_pass() -> None:
        passes.append("pass")
        if len(passes) == 1:
            raise DatabaseUnavailable("locked")
        if len(passes) == 2:
            raise KeyError("a bug")
        third.set()

    exits: list[bool] = []
    task = PeriodicTask("test task", 60.0, flaky_pass, on_exit=lambda: exits.append(True))
    assert task.run_once() is False  # busy: postponed, not counted as an error
    assert task.errors == 0
    task.start()
    assert task.running
    task.wake()  # the second pass, at once instead of after 60 s
    task.wake()
    for _ in range(50):
        if third.is_set():
            break
        task.wake()
        third.wait(0.1)
    task.stop()
    assert third.is_set() and task.errors == 1
    assert not task.running and exits == [True]
