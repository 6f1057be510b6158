"""Getting scans to the server: the HTTP client and a bounded queue that survives outages.

The scanner never writes to the database; it posts ``POST /api/v1/scans`` and the server decides.
Each scan carries an idempotency ``id`` made once, when the card is seen, and re-sent unchanged on
every retry, so a post whose answer was lost can never make a second visit.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)


RECENT_OUTCOMES = 100


class ServerUnreachable(ConnectionError):
    """The server did not answer, or answered 5xx/408/429: worth retrying later."""


class ScanRejected(ValueError):
    """The server refused the scan for good (400, 401, 403, 404, …): retrying will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


@dataclass(frozen=True)
class Scan:
    """One card sighting, ready to post."""

    code: str
    seen_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds")
    )
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def payload(self) -> dict[str, str]:
        """The JSON body of ``POST /api/v1/scans``."""
        return {"code": self.code, "seen_at": self.seen_at, "id": self.id}


class ApiClient:
    """The two calls the scanner makes, with the device token as a bearer token."""

    def __init__(self, server: str, token: str, timeout: float = 5.0) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.server + path
        if not url.startswith(("http://", "https://")):
            raise ScanRejected(0, f"server URL must be http(s), not {self.server!r}")
        request = urllib.request.Request(  # noqa: S310 - scheme checked just above
            url,
            data=json.dumps(body).encode("utf-8"),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            if exc.code >= 500 or exc.code in (408, 429):
                raise ServerUnreachable(f"{url}: HTTP {exc.code} {detail}") from exc
            raise ScanRejected(exc.code, detail) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ServerUnreachable(f"{url}: {exc}") from exc
        try:
            answer = json.loads(raw or b"{}")
        except ValueError as exc:
            raise ServerUnreachable(f"{url}: the answer is not JSON") from exc
        return answer if isinstance(answer, dict) else {"answer": answer}

    def post_scan(self, scan: Scan) -> dict[str, Any]:
        """Post one scan and return the server's answer (``result``, ``visit_id``, …)."""
        return self._post("/api/v1/scans", scan.payload())

    def heartbeat(self, device: str, state: str, detail: str) -> dict[str, Any]:
        """Report the scanner's state (``ok``, ``no_camera`` or ``error``)."""
        body = {"device": device, "kind": "scanner", "state": state, "detail": detail}
        return self._post("/api/v1/devices/heartbeat", body)


class DeliveryQueue:
    """A bounded queue of scans, drained in order by a background thread.

    While the server is unreachable the head scan is retried with growing pauses and later scans
    wait behind it, each with its own ``seen_at``. When the queue is full the oldest scan is
    dropped (and logged): after a long outage the newest arrivals matter most.
    """

    def __init__(
        self,
        client: ApiClient,
        maxlen: int = 500,
        on_result: Callable[[Scan, dict[str, Any]], None] | None = None,
        backoff: tuple[float, float] = (0.5, 30.0),
    ) -> None:
        self.client = client
        self.maxlen = maxlen
        self.on_result = on_result
        self.backoff = backoff
        # The most recent outcomes only: the process runs for months and these hold first names.
        self.delivered: deque[tuple[Scan, dict[str, Any]]] = deque(maxlen=RECENT_OUTCOMES)
        self.rejected: deque[tuple[Scan, ScanRejected]] = deque(maxlen=RECENT_OUTCOMES)
        self.dropped = 0
        self.server_reachable = True
        self._queue: deque[Scan] = deque()
        self._cond = threading.Condition()
        self._stop = False
        self._busy = False
        self._thread: threading.Thread | None = None

    def put(self, scan: Scan) -> None:
        """Queue a scan for delivery; never blocks the scan loop."""
        with self._cond:
            if len(self._queue) >= self.maxlen:
                old = self._queue.popleft()
                self.dropped += 1
                log.error("delivery queue full: dropped the scan seen at %s", old.seen_at)
            self._queue.append(scan)
            self._cond.notify_all()

    def __len__(self) -> int:
        with self._cond:
            return len(self._queue)

    def pending(self) -> list[Scan]:
        """The scans still waiting, oldest first."""
        with self._cond:
            return list(self._queue)

    def start(self) -> DeliveryQueue:
        """Start the delivery thread."""
        self._thread = threading.Thread(target=self._run, name="scan-delivery", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread; scans still queued stay in :meth:`pending`."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread:
            self._thread.join(timeout)

    def flush(self, timeout: float) -> bool:
        """Wait until everything queued is delivered (or rejected); false on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.1))
        return True

    def deliver_one(self) -> bool:
        """Try to post the head scan once; true when the queue moved on (delivered or dropped).

        Raises :class:`ServerUnreachable` when the scan should be retried later.
        """
        with self._cond:
            if not self._queue:
                return False
            scan = self._queue[0]
            self._busy = True
        try:
            answer = self.client.post_scan(scan)
        except ScanRejected as exc:
            self._finish(scan)
            self.rejected.append((scan, exc))
            if exc.status in (401, 403):
                log.error("the server refused the device token (%s): check KIOSK_DEVICE_TOKEN", exc)
            else:
                log.error("the server rejected a scan, dropped it: %s", exc)
            return True
        except Exception:  # ServerUnreachable or a bug: the scan stays at the head
            with self._cond:
                self._busy = False
                self._cond.notify_all()
            raise
        self._finish(scan)
        self.delivered.append((scan, answer))
        log.info("scan posted: %s", answer.get("result", answer))
        if self.on_result:
            self.on_result(scan, answer)
        return True

    def _finish(self, scan: Scan) -> None:
        with self._cond:
            if self._queue and self._queue[0] is scan:
                self._queue.popleft()
            self._busy = False
            self._cond.notify_all()

    def _run(self) -> None:
        delay = self.backoff[0]
        while True:
            with self._cond:
                while not self._queue and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
            try:
                self.deliver_one()
            except ServerUnreachable as exc:
                if self.server_reachable:
                    log.warning("server unreachable, keeping scans queued: %s", exc)
                self.server_reachable = False
                with self._cond:
                    self._cond.wait_for(lambda: self._stop, timeout=delay)
                delay = min(delay * 2, self.backoff[1])
                continue
            except Exception:  # a bug here must not silently stop delivery for good
                log.exception("unexpected error while posting a scan")
                with self._cond:
                    self._cond.wait_for(lambda: self._stop, timeout=delay)
                continue
            if not self.server_reachable:
                log.info("server reachable again")
            self.server_reachable = True
            delay = self.backoff[0]
