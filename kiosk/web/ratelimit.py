"""A small in-process rate limiter for failed scans (unknown or revoked codes).

Card tokens carry 144 random bits, so guessing one is hopeless whatever the rate; the limiter
is there so that a device (or whoever holds its token) cannot flood the scan log, hammer the
database with junk, or probe for cards at machine speed. It is a token bucket per key: each
failed scan takes a token, tokens come back at a steady rate, and a key with no tokens left
is answered 429 until the next one comes back, which is a few seconds, never longer. A valid
card presented during that time is refused only that long, and the scanner retries a 429
by itself with the scan's idempotency id and ``seen_at``, so nothing is lost.

The limiter lives in the server process (the web app is the single writer), is thread-safe
for waitress' threads, and bounds its own memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_BURST = 10  # failed scans a device may make in a row
DEFAULT_REFILL_SECONDS = 3.0  # then one more every this many seconds (20 a minute)
MAX_KEYS = 4096


@dataclass
class _Bucket:
    tokens: float
    updated: float


class FailedScanLimiter:
    """Token buckets keyed by text (the API uses device name + remote address)."""

    def __init__(
        self,
        burst: int = DEFAULT_BURST,
        refill_seconds: float = DEFAULT_REFILL_SECONDS,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        if burst < 1 or refill_seconds <= 0:
            raise ValueError("burst must be at least 1 and refill_seconds positive")
        self.burst = burst
        self.refill_seconds = refill_seconds
        self.max_keys = max_keys
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}
        self.refused = 0  # how many requests were answered 429, for health and tests

    def _bucket(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            return _Bucket(float(self.burst), now)
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed / self.refill_seconds)
        bucket.updated = now
        return bucket

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may scan again; 0 when it may scan now."""
        with self._lock:
            now = self._monotonic()
            bucket = self._bucket(key, now)
            if bucket.tokens >= 1.0:
                return 0.0
            self.refused += 1
            return (1.0 - bucket.tokens) * self.refill_seconds

    def record_failure(self, key: str) -> None:
        """Take one token from ``key`` for a failed scan."""
        with self._lock:
            now = self._monotonic()
            bucket = self._bucket(key, now)
            bucket.tokens = max(0.0, bucket.tokens - 1.0)
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_keys:
                self._prune(now)

    def _prune(self, now: float) -> None:
        # Full buckets carry no information; drop them first, then the stalest ones.
        full = [k for k in self._buckets if self._bucket(k, now).tokens >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) > self.max_keys:
            stalest = sorted(self._buckets, key=lambda k: self._buckets[k].updated)
            for key in stalest[: len(self._buckets) - self.max_keys]:
                del self._buckets[key]

    def reset(self) -> None:
        """Forget every key (tests, or an operator after a false alarm)."""
        with self._lock:
            self._buckets.clear()


def retry_after_header(seconds: float) -> str:
    """Format a Retry-After value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
