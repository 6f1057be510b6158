"""The print queue: jobs wait with their error, retry with backoff, print at least once."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import zxingcpp

from kiosk.db import connect
from kiosk.printing.queue import (
    LEASE_SECONDS,
    PrintWorker,
    backoff,
    cancel,
    enqueue,
    failing_jobs,
    get_job,
    printer_state,
    process_due,
    recent_jobs,
    reprint,
)
from kiosk.timeutil import to_db
from printer.errors import PaperOut, PrinterUnavailable, RenderError
from printer.transports import PrinterStatus
from printer.transports.none import NoPrinter
from printer.transports.preview import PreviewTransport

from .fakes import RecordingTransport

GUEST = {
    "first_name": "Åsa",
    "name": "Åsa Öberg",
    "company": "Laukaan Leipomo Oy",
    "host": "Sanna",
    "date_text": "to 26.11.2026",
    "token": "chk-1234567890",
}


def test_enqueue_stores_a_pending_job_with_the_payload(db, clock):
    job_id = enqueue(db, "guest_badge", GUEST, clock.now())
    job = get_job(db, job_id)
    assert job["status"] == "pending"
    assert job["payload"] == GUEST
    assert job["attempts"] == 0
    assert job["summary"] == "Åsa Öberg"


def test_enqueue_rejects_a_payload_that_cannot_be_drawn(db, clock):
    with pytest.raises(RenderError, match="first_name"):
        enqueue(db, "guest_badge", {"name": "No First"}, clock.now())
    with pytest.raises(RenderError, match="unknown"):
        enqueue(db, "guest_badge", {**GUEST, "frist_name": "typo"}, clock.now())
    with pytest.raises(RenderError, match="kind"):
        enqueue(db, "sticker", GUEST, clock.now())
    assert recent_jobs(db) == []


def test_due_job_is_printed_and_marked_done(db, clock):
    transport = RecordingTransport()
    job_id = enqueue(db, "guest_badge", GUEST, clock.now())
    result = process_due(db, transport, clock.now(), width=58)
    assert result.printed == 1
    label, image = transport.printed[0]
    assert str(job_id) in label
    assert image.width == 384
    codes = zxingcpp.read_barcodes(image.convert("L"))
    assert [code.text for code in codes] == [GUEST["token"]]
    job = get_job(db, job_id)
    assert (job["status"], job["attempts"], job["last_error"]) == ("done", 1, None)
    assert job["printed_at"] == to_db(clock.now())
    assert printer_state(db)["state"] == "ready"


def test_print_error_waits_with_backoff_then_retries(db, clock):
    transport = RecordingTransport()
    transport.fail_with = PrinterUnavailable("connection reset")
    job_id = enqueue(db, "guest_badge", GUEST, clock.now())

    first = process_due(db, transport, clock.now())

    assert first.waiting == 1
    job = get_job(db, job_id)
    assert job["status"] == "pending" and job["last_error"] == "connection reset"
    assert job["next_attempt_at"] == to_db(clock.now() + backoff(1))
    assert [j["id"] for j in failing_jobs(db)] == [job_id]
    assert process_due(db, transport, clock.now()).waiting == 0  # not due yet

    transport.fail_with = None
    clock.advance(seconds=backoff(1).total_seconds())
    assert process_due(db, transport, clock.now()).printed == 1
    assert get_job(db, job_id)["attempts"] == 2
    assert failing_jobs(db) == []


def test_backoff_grows_and_is_capped():
    delays = [backoff(n).total_seconds() for n in range(1, 8)]
    assert delays == sorted(delays)
    assert delays[0] < delays[2]
    assert max(delays) <= 60


def test_paper_out_status_keeps_jobs_in_the_queue_without_an_attempt(db, clock):
    transport = RecordingTransport()
    transport.state = PrinterStatus("paper_out", "no paper")
    ids = [enqueue(db, "guest_badge", GUEST, clock.now()) for _ in range(3)]

    result = process_due(db, transport, clock.now())

    assert result.waiting == 3 and transport.printed == []
    for job_id in ids:
        job = get_job(db, job_id)
        assert job["status"] == "pending" and job["attempts"] == 0
        assert "no paper" in job["last_error"]
    assert printer_state(db)["state"] == "paper_out"
    assert printer_state(db)["pending"] == 3


def test_paper_running_out_mid_queue_stops_the_rest(db, clock):
    transport = RecordingTransport()
    first = enqueue(db, "guest_badge", GUEST, clock.now())
    second = enqueue(db, "member_badge", {**GUEST, "ask_me": "rahoitus"}, clock.now())
    transport.fail_with = PaperOut("paper out")
    process_due(db, transport, clock.now())
    assert get_job(db, first)["attempts"] == 1
    assert get_job(db, second)["attempts"] == 0  # never tried while the paper was out
    assert get_job(db, second)["last_error"] == "paper out"


def test_job_left_printing_by_a_crash_is_printed_again_after_its_lease(db, clock):
    transport = RecordingTransport()
    job_id = enqueue(db, "guest_badge", GUEST, clock.now())
    # A crash between "printing" and "done": the row stays "printing".
    db.execute("UPDATE print_jobs SET status = 'printing', attempts = 1 WHERE id = ?", [job_id])
    assert process_due(db, transport, clock.now()).printed == 0
    clock.advance(seconds=LEASE_SECONDS + 1)
    assert process_due(db, transport, clock.now()).printed == 1
    assert get_job(db, job_id)["status"] == "done"


def test_a_badge_left_printing_by_a_crash_hours_ago_is_not_printed_late(db, clock):
    transport = RecordingTransport()
    job_id = enqueue(db, "guest_badge", GUEST, clock.now())
    db.execute(
        "UPDATE print_jobs SET status = 'printing', attempts = 1, updated_at = ? WHERE id = ?",
        [to_db(clock.now()), job_id],
    )
    clock.advance(hours=3)  # the server was down; the guest left long ago
    assert process_due(db, transport, clock.now()).printed == 0
    assert get_job(db, job_id)["status"] == "cancelled"


def test_old_badges_are_cancelled_instead_of_printed(db, clock):
    transport = RecordingTransport()
    transport.state = PrinterStatus("offline", "switched off")
    badge = enqueue(db, "guest_badge", GUEST, clock.now())
    card = enqueue(db, "member_card", {"name": "Åsa Öberg", "token": "card-1"}, clock.now())
    process_due(db, transport, clock.now())
    clock.advance(hours=3)
    transport.state = PrinterStatus("ready")
    result = process_due(db, transport, clock.now())
    assert get_job(db, badge)["status"] == "cancelled"
    assert "not printed within" in get_job(db, badge)["last_error"]
    assert get_job(db, card)["status"] == "done"  # a card is still wanted
    assert result.printed == 1


def test_undrawable_job_fails_for_good(db, clock):
    transport = RecordingTransport()
    stamp = to_db(clock.now())
    db.execute(
        "INSERT INTO print_jobs (kind, payload, created_at, updated_at) VALUES (?, ?, ?, ?)",
        ["guest_badge", json.dumps({"company": "no name"}), stamp, stamp],
    )
    result = process_due(db, transport, clock.now())
    assert result.failed == 1
    (job,) = recent_jobs(db)
    assert job["status"] == "failed" and "first_name" in job["last_error"]


def test_printing_turned_off_cancels_jobs(db, clock):
    job_id = enqueue(db, "guest_badge", GUEST, clock.now())
    result = process_due(db, NoPrinter(), clock.now())
    assert result.cancelled == 1
    assert get_job(db, job_id)["status"] == "cancelled"
    assert printer_state(db)["state"] == "disabled"


def test_reprint_queues_a_new_job_with_the_same_content(db, clock):
    transport = RecordingTransport()
    job_id = enqueue(db, "name_tag", {**GUEST, "title": "Aamukahvit"}, clock.now(), visit_id=None)
    process_due(db, transport, clock.now())
    again = reprint(db, job_id, clock.now() + timedelta(minutes=5))
    assert again != job_id
    assert get_job(db, again)["payload"] == get_job(db, job_id)["payload"]
    assert get_job(db, again)["status"] == "pending"
    assert [job["id"] for job in recent_jobs(db)] == [again, job_id]


def test_cancel_only_touches_unprinted_jobs(db, clock):
    transport = RecordingTransport()
    done = enqueue(db, "guest_badge", GUEST, clock.now())
    process_due(db, transport, clock.now())
    waiting = enqueue(db, "guest_badge", GUEST, clock.now())
    assert cancel(db, waiting, clock.now()) is True
    assert cancel(db, done, clock.now()) is False
    assert get_job(db, done)["status"] == "done"


def test_worker_thread_prints_a_queued_badge(db, db_path, clock, tmp_path):
    previews = tmp_path / "badges"
    worker = PrintWorker(
        lambda: connect(db_path), PreviewTransport(previews), clock=clock, interval=0.05
    )
    worker.start()
    try:
        job_id = enqueue(db, "guest_badge", GUEST, clock.now())
        worker.wake()
        deadline = time.monotonic() + 20
        while get_job(db, job_id)["status"] != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert not worker.running
    assert get_job(db, job_id)["status"] == "done"
    assert [path.suffix for path in previews.iterdir()] == [".png"]
    assert worker.errors == 0


def test_badge_previews_are_kept_a_week_only(tmp_path):
    import os

    from PIL import Image

    preview = PreviewTransport(tmp_path)
    preview.print_image(Image.new("1", (10, 10)), label="job1-guest_badge")
    [old] = list(tmp_path.glob("*.png"))
    eight_days_ago = time.time() - 8 * 24 * 3600
    os.utime(old, (eight_days_ago, eight_days_ago))
    preview.print_image(Image.new("1", (10, 10)), label="job2-guest_badge")
    assert [p.name.endswith("job2-guest_badge.png") for p in tmp_path.glob("*.png")] == [True]
