"""A small in-process publish/subscribe hub for the live pages (server-sent events).

The web app is the single writer, so every change that a live page shows passes through this
process: the view that made the change publishes it, and each open stream has its own bounded
queue. A slow or vanished browser loses old messages rather than holding anyone up.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

from kiosk.errors import KioskError

# Room for a burst: a stream sleeps a moment to gather events (coalescing), and a burst of
# scans must fit in the meantime. Messages are small, so this is tens of kilobytes at most.
QUEUE_SIZE = 1000
# Put in an evicted subscriber's inbox: its stream ends at once and gives its thread back.
_CLOSE = ("", "")


class TooManyStreams(KioskError):
    """Every live-connection slot is taken; the page falls back to polling."""


class Broker:
    """Fans published messages out to the subscribers of a channel."""

    def __init__(
        self,
        max_subscribers: int = 24,
        reserved: dict[str, int] | None = None,
        *,
        family_limits: dict[str, int] | None = None,
        protected: frozenset[str] = frozenset(),
    ) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, dict[int, queue.Queue[tuple[str, str]]]] = {}
        self._ids = itertools.count(1)
        self.max_subscribers = max_subscribers
        # Channel families with slots of their own, never taken by dashboards: "door" gives
        # every door channel ("door:<address>") that many slots.
        self.reserved = reserved or {}
        # A ceiling over all channels of a reserved family ("door": all doors together), so
        # that many doors cannot hold every server thread; ``protected`` channels (the
        # kiosk's own door) keep their reserved slots outside that ceiling.
        self.family_limits = family_limits or {}
        self.protected = protected
        self.published = 0
        self.dropped = 0

    def subscriber_count(self) -> int:
        """Return how many streams are open, over all channels."""
        with self._lock:
            return sum(len(subs) for subs in self._subscribers.values())

    def subscribe(self, channel: str) -> tuple[int, queue.Queue[tuple[str, str]]]:
        """Open a subscription; raise TooManyStreams when the slots are full."""
        with self._lock:
            reserved = self._family(channel) in self.reserved
            if reserved:
                limit = self.reserved[self._family(channel)]
                used = len(self._subscribers.get(channel, {}))
            else:
                limit = self.max_subscribers
                used = sum(
                    len(subs)
                    for name, subs in self._subscribers.items()
                    if self._family(name) not in self.reserved
                )
            if used >= limit and reserved:
                # A door screen that moved on leaves its old stream open until the next
                # write fails; the newest door page always wins its slot back.
                self._evict_oldest(channel)
            elif used >= limit:
                raise TooManyStreams(f"{limit} live connections already open on {channel}")
            elif reserved and channel not in self.protected:
                family = self._family(channel)
                ceiling = self.family_limits.get(family)
                in_family = sum(
                    len(subs)
                    for name, subs in self._subscribers.items()
                    if self._family(name) == family and name not in self.protected
                )
                if ceiling is not None and in_family >= ceiling:
                    raise TooManyStreams(f"{ceiling} {family} streams already open")
            sub_id = next(self._ids)
            inbox: queue.Queue[tuple[str, str]] = queue.Queue(QUEUE_SIZE)
            self._subscribers.setdefault(channel, {})[sub_id] = inbox
            return sub_id, inbox

    @staticmethod
    def _family(channel: str) -> str:
        return channel.split(":", 1)[0]

    def _evict_oldest(self, channel: str) -> None:
        subscribers = self._subscribers[channel]
        oldest = min(subscribers)
        inbox = subscribers.pop(oldest)
        while True:
            try:
                inbox.put_nowait(_CLOSE)
                return
            except queue.Full:
                try:
                    inbox.get_nowait()
                except queue.Empty:
                    pass

    def unsubscribe(self, channel: str, sub_id: int) -> None:
        """Close a subscription."""
        with self._lock:
            self._subscribers.get(channel, {}).pop(sub_id, None)

    def publish(self, channel: str, event: str, data: dict[str, Any]) -> None:
        """Send ``event`` with JSON ``data`` to every subscriber of ``channel``."""
        payload = json.dumps(data, ensure_ascii=False)
        with self._lock:
            inboxes = list(self._subscribers.get(channel, {}).values())
            self.published += 1
        for inbox in inboxes:
            try:
                inbox.put_nowait((event, payload))
            except queue.Full:
                self.dropped += 1


class EventStream:
    """The body of one server-sent-event response: iterate it for text, close it to leave.

    WSGI servers call ``close()`` on a response body even when they never iterate it (a HEAD
    request, a client gone before the first byte), so the slot is always given back.
    """

    def __init__(self, broker: Broker, channel: str, body: Iterator[str], sub_id: int) -> None:
        self._broker = broker
        self._channel = channel
        self._body = body
        self._sub_id = sub_id

    def __iter__(self) -> Iterator[str]:
        return self._body

    def __next__(self) -> str:
        return next(self._body)

    def close(self) -> None:
        """End the stream and free its slot (safe to call more than once)."""
        self._body.close()
        self._broker.unsubscribe(self._channel, self._sub_id)


def sse_stream(
    broker: Broker,
    channel: str,
    *,
    heartbeat_seconds: float = 15.0,
    lifetime_seconds: float = 300.0,
    retry_ms: int = 2000,
    coalesce_seconds: float = 0.25,
) -> EventStream:
    """Server-sent-event text for one subscriber until its lifetime ends.

    Streams end after ``lifetime_seconds``, busy or not, and the browser reconnects by itself,
    so a thread held by a closed tab is given back even when waitress never notices the
    disconnect.

    After the first message of a burst the stream waits ``coalesce_seconds`` and sends all
    that arrived meanwhile in one write: under a burst of scans, each open page then costs a
    few wake-ups a second instead of one per scan, which kept the scan threads waiting.
    """
    sub_id, inbox = broker.subscribe(channel)

    def generate() -> Iterator[str]:
        try:
            yield f"retry: {retry_ms}\n: connected\n\n"
            deadline = time.monotonic() + lifetime_seconds
            while (left := deadline - time.monotonic()) > 0:
                try:
                    message = inbox.get(timeout=min(heartbeat_seconds, left))
                except queue.Empty:
                    yield ": keep-alive\n\n"
                    continue
                if coalesce_seconds > 0:
                    time.sleep(coalesce_seconds)
                chunk = []
                while True:
                    if message is _CLOSE:
                        if chunk:
                            yield "".join(chunk)
                        return
                    event, payload = message
                    chunk.append(f"event: {event}\ndata: {payload}\n\n")
                    try:
                        message = inbox.get_nowait()
                    except queue.Empty:
                        break
                yield "".join(chunk)
        finally:
            broker.unsubscribe(channel, sub_id)

    return EventStream(broker, channel, generate(), sub_id)
