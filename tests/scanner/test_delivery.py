"""Posting scans: the queue while the server is away, idempotency, rejections, heartbeats."""

from __future__ import annotations

import time

from scanner.delivery import ApiClient, DeliveryQueue, Scan
from scanner.health import HealthReporter


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_scans_wait_while_the_server_is_away_and_arrive_once_in_order(fake_api) -> None:
    fake_api.up = False
    queue = DeliveryQueue(ApiClient(fake_api.url, "tok"), backoff=(0.05, 0.2)).start()
    scans = [Scan(f"CARD-{i}") for i in range(3)]
    for scan in scans:
        queue.put(scan)
    assert wait_for(lambda: not queue.server_reachable)
    assert len(queue) == 3 and fake_api.scans == []
    fake_api.up = True
    assert queue.flush(timeout=10)
    queue.stop()
    assert [s["id"] for s in fake_api.scans] == [s.id for s in scans]
    assert [s["seen_at"] for s in fake_api.scans] == [s.seen_at for s in scans]
    assert [r["result"] for _, r in queue.delivered] == ["checked_in"] * 3
    assert set(fake_api.auth) == {"Bearer tok"}


def test_a_retried_scan_keeps_its_id(fake_api) -> None:
    client = ApiClient(fake_api.url, "tok")
    scan = Scan("SAME")
    client.post_scan(scan)
    client.post_scan(scan)  # the answer was lost, say: the retry sends the same id
    assert len(fake_api.scans) == 1


def test_queue_is_bounded_and_drops_the_oldest(fake_api) -> None:
    queue = DeliveryQueue(ApiClient(fake_api.url, "tok"), maxlen=3)  # not started
    for i in range(5):
        queue.put(Scan(f"C{i}"))
    assert [s.code for s in queue.pending()] == ["C2", "C3", "C4"] and queue.dropped == 2


def test_a_rejected_scan_is_dropped_not_retried_forever(fake_api) -> None:
    fake_api.status = 401
    queue = DeliveryQueue(ApiClient(fake_api.url, "wrong"), backoff=(0.05, 0.1)).start()
    queue.put(Scan("X"))
    assert queue.flush(timeout=10)
    queue.stop()
    assert [exc.status for _, exc in queue.rejected] == [401]
    assert len(fake_api.auth) == 1


def test_heartbeats_report_state_changes(fake_api) -> None:
    health = HealthReporter(ApiClient(fake_api.url, "tok"), "scanner@test", interval=30).start()
    assert wait_for(lambda: len(fake_api.heartbeats) >= 1)
    health.set("no_camera", "cannot open camera 0")
    assert wait_for(lambda: fake_api.heartbeats[-1]["state"] == "no_camera")
    health.stop()
    beat = fake_api.heartbeats[-1]
    assert beat == {
        "device": "scanner@test",
        "kind": "scanner",
        "state": "no_camera",
        "detail": "cannot open camera 0",
    }


def test_heartbeat_to_a_dead_server_is_not_an_error() -> None:
    health = HealthReporter(ApiClient("http://127.0.0.1:9", "tok", timeout=0.5), "s")
    assert health.send() is False
