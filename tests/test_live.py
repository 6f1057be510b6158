"""The live-event hub: fan-out, limits, and the door's slots that a new page always wins."""

from __future__ import annotations

import pytest

from kiosk.web.live import Broker, TooManyStreams, sse_stream


def test_each_door_has_its_own_reserved_slots():
    broker = Broker(max_subscribers=1, reserved={"door": 1})
    broker.subscribe("door:10.0.0.5")
    broker.subscribe("door:10.0.0.6")  # another door: its own slot
    broker.subscribe("staff")
    assert broker.subscriber_count() == 3


def test_published_events_reach_every_subscriber_of_the_channel():
    broker = Broker()
    first = sse_stream(broker, "staff", heartbeat_seconds=0.05, lifetime_seconds=0.5)
    second = sse_stream(broker, "staff", heartbeat_seconds=0.05, lifetime_seconds=0.5)
    other = sse_stream(broker, "door", heartbeat_seconds=0.05, lifetime_seconds=0.2)
    for stream in (first, second, other):
        assert next(stream).startswith("retry:")
    broker.publish("staff", "presence", {"visit_id": 7})
    assert next(first) == next(second) == 'event: presence\ndata: {"visit_id": 7}\n\n'
    assert next(other) == ": keep-alive\n\n"


def test_staff_streams_beyond_the_limit_are_refused_but_door_slots_stay_free():
    broker = Broker(max_subscribers=2, reserved={"door": 1})
    broker.subscribe("staff")
    broker.subscribe("staff")
    with pytest.raises(TooManyStreams):
        broker.subscribe("staff")
    broker.subscribe("door")  # the door's own slot is not taken by dashboards


def test_a_new_door_page_takes_over_the_oldest_door_stream():
    broker = Broker(reserved={"door": 2})
    streams = [
        sse_stream(broker, "door", heartbeat_seconds=5, lifetime_seconds=60) for _ in range(2)
    ]
    for stream in streams:
        next(stream)
    newest = sse_stream(broker, "door", heartbeat_seconds=5, lifetime_seconds=60)
    next(newest)
    # The oldest stream ends at once (no 15 s wait for a failed write); the others live on.
    assert list(streams[0]) == []
    assert broker.subscriber_count() == 2
    broker.publish("door", "scan", {"screen": "/hello/x"})
    assert next(newest).startswith("event: scan")
    assert next(streams[1]).startswith("event: scan")


def test_a_burst_of_events_goes_out_in_one_write():
    broker = Broker()
    stream = sse_stream(
        broker, "staff", heartbeat_seconds=1, lifetime_seconds=5, coalesce_seconds=0.05
    )
    next(stream)
    for visit_id in (1, 2, 3):
        broker.publish("staff", "presence", {"visit_id": visit_id})
    chunk = next(stream)
    assert chunk.count("event: presence") == 3
    assert chunk.index('"visit_id": 1') < chunk.index('"visit_id": 3')


def test_a_stream_closed_before_it_was_read_gives_its_slot_back():
    # What a HEAD request or a client gone before the first byte does: close, never iterate.
    broker = Broker(max_subscribers=1)
    sse_stream(broker, "staff").close()
    assert broker.subscriber_count() == 0
    sse_stream(broker, "staff").close()  # the one slot is free again


def test_a_busy_stream_still_ends_at_its_lifetime():
    import time

    broker = Broker()
    stream = sse_stream(
        broker, "staff", heartbeat_seconds=0.05, lifetime_seconds=0.4, coalesce_seconds=0
    )
    next(stream)
    started = time.monotonic()
    chunks = 0
    for _ in stream:  # events keep coming faster than the heartbeat
        chunks += 1
        broker.publish("staff", "presence", {"n": chunks})
        assert time.monotonic() - started < 5, "the stream outlived its lifetime"
    assert broker.subscriber_count() == 0
