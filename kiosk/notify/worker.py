"""The notification worker: a thread that sends what is due, retrying with backoff.

It looks at the database at most once a second while idle; :func:`wake` (called after a
transaction that queued something) makes it look at once. Reminders and the daily digest are
queued from here too, every :attr:`NotifyWorker.housekeeping_seconds`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlite_utils

from kiosk import audit
from kiosk.clock import Clock, SystemClock
from kiosk.notify import dispatch, queue
from kiosk.notify.channels import (
    DeliveryError,
    EmailSender,
    NotConfigured,
    SmtpSettings,
    TeamsSender,
)
from kiosk.periodic import PeriodicTask
from kiosk.settings import Settings
from kiosk.transactions import write_transaction

log = logging.getLogger(__name__)
ACTOR = "notifier"

# Every worker in this process listens to this event, so code that queued a message can
# wake them without holding a reference to one.
_WAKE = threading.Event()


def wake() -> None:
    """Make the workers of this process look for due messages now (after a commit)."""
    _WAKE.set()


class Sender(Protocol):
    """Sends one queued row; raises DeliveryError when it is not accepted."""

    def send(self, row: Mapping[str, Any], when: datetime) -> None:
        """Send the row."""

    def close(self) -> None:
        """Release any connection."""


class _Unconfigured:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def send(self, row: Mapping[str, Any], when: datetime) -> None:
        raise NotConfigured(self.reason)

    def close(self) -> None:
        """Nothing to close."""


def senders_from_settings(settings: Settings) -> dict[str, Sender]:
    """The email and Teams senders for the settings; an unusable setting makes a sender that
    explains itself on every try, so messages wait (and say why) until it is fixed."""
    config = dispatch.NotifyConfig.from_settings(settings)
    timeout = settings.smtp_timeout_seconds
    email: Sender
    if not settings.smtp_url:
        email = _Unconfigured("KIOSK_SMTP_URL is not set")
    elif not settings.mail_from:
        email = _Unconfigured("KIOSK_MAIL_FROM is not set")
    else:
        try:
            smtp = SmtpSettings.from_url(settings.smtp_url)
        except ValueError as exc:
            email = _Unconfigured(str(exc))
        else:
            email = EmailSender(smtp, settings.mail_from, timeout)
    return {"email": email, "teams": TeamsSender(config.writer().open_label(), timeout)}


@dataclass
class PassResult:
    """What one pass over the due messages did."""

    sent: int = 0
    waiting: int = 0
    failed: int = 0


def record_outcome(
    db: sqlite_utils.Database, row: Mapping[str, Any], now: datetime, action: str, **extra: Any
) -> None:
    """Audit one try: which message, where, which attempt, and the outcome."""
    audit.record(
        db,
        now,
        ACTOR,
        action,
        f"notification:{row['id']}",
        kind=row["kind"],
        channel=row["channel"],
        destination=row["destination"],
        message_id=row["message_id"],
        attempt=int(row["attempts"]) + 1,
        **extra,
    )


def send_due(
    db: sqlite_utils.Database,
    senders: Mapping[str, Sender],
    now: datetime,
    *,
    limit: int = 20,
) -> PassResult:
    """Send the due messages; record each outcome on its row and in the audit log.

    A channel that fails transiently (the server is down) stops the pass for that channel:
    the other due rows on it wait without spending a try.
    """
    result = PassResult()
    rows = queue.due(db, now, limit)
    if not rows:
        # Idle: one read, and no write lock taken, so an idle queue costs check-in nothing.
        return result
    with write_transaction(db):
        result.failed += queue.expire_old(db, now)
    if result.failed:
        rows = queue.due(db, now, limit)
    try:
        _send_rows(db, senders, now, rows, result)
    finally:
        for sender in senders.values():  # one connection a pass, not one held open all day
            sender.close()
    return result


def _send_rows(
    db: sqlite_utils.Database,
    senders: Mapping[str, Sender],
    now: datetime,
    rows: list[dict[str, Any]],
    result: PassResult,
) -> None:
    broken: dict[str, DeliveryError] = {}
    for row in rows:
        channel = row["channel"]
        if channel in broken:
            with write_transaction(db):
                queue.mark_waiting(db, row["id"], now, str(broken[channel]), now + queue.backoff(1))
            result.waiting += 1
            continue
        with write_transaction(db):
            if not queue.claim(db, row["id"], now):
                continue
        attempts = int(row["attempts"]) + 1
        try:
            senders[channel].send(row, now)
        except DeliveryError as exc:
            with write_transaction(db):
                if not exc.transient and attempts >= queue.PERMANENT_TRIES:
                    queue.mark_failed(db, row["id"], now, f"gave up after {attempts} tries: {exc}")
                    record_outcome(db, row, now, "notify.failed", error=str(exc))
                    result.failed += 1
                else:
                    queue.mark_waiting(db, row["id"], now, str(exc), now + queue.backoff(attempts))
                    record_outcome(db, row, now, "notify.retry", error=str(exc))
                    result.waiting += 1
            if exc.transient:
                broken[channel] = exc
            continue
        with write_transaction(db):
            queue.mark_sent(db, row["id"], now)
            record_outcome(db, row, now, "notify.sent")
        result.sent += 1


class NotifyWorker(PeriodicTask):
    """Sends due notifications about once a second, or at once when woken; one per server.

    ``connect`` opens the worker's own database connection inside the thread. Reminders and
    digests that are due are queued every ``housekeeping_seconds``.
    """

    def __init__(
        self,
        connect: Callable[[], sqlite_utils.Database],
        settings: Settings,
        *,
        clock: Clock | None = None,
        senders: Mapping[str, Sender] | None = None,
        interval: float = 1.0,
        housekeeping_seconds: float = 20.0,
    ) -> None:
        super().__init__(
            "host notifications", interval, self.send_pass, on_exit=self._close, wake_event=_WAKE
        )
        self._connect = connect
        self.settings = settings
        self.config = dispatch.NotifyConfig.from_settings(settings)
        self.senders = dict(senders) if senders is not None else senders_from_settings(settings)
        self.clock = clock or SystemClock()
        self.housekeeping_seconds = housekeeping_seconds
        self.polls = 0  # passes over the queue, for the idle-rate figure
        self._db: sqlite_utils.Database | None = None
        self._last_housekeeping: datetime | None = None

    def housekeeping(self, db: sqlite_utils.Database, now: datetime) -> int:
        """Queue reminders and digests that are due; return how many messages were queued."""
        # Read first: the write lock is taken only when there is something to queue.
        if not dispatch.reminders_due(db, now, self.config) and not dispatch.digest_due(
            db, now, self.config
        ):
            return 0
        with write_transaction(db):
            queued = dispatch.queue_reminders(db, now, self.config)
            queued += dispatch.queue_digests(db, now, self.config)
        return queued

    def send_due_messages(self, db: sqlite_utils.Database) -> PassResult:
        """Send what is due now (each pass does this; tests may too)."""
        self.polls += 1
        return send_due(db, self.senders, self.clock.now())

    def send_pass(self) -> None:
        """One pass of the thread: housekeeping when it is time, then the due messages."""
        if self._db is None:
            self._db = self._connect()
        now = self.clock.now()
        if (
            self._last_housekeeping is None
            or (now - self._last_housekeeping).total_seconds() >= self.housekeeping_seconds
        ):
            self._last_housekeeping = now
            self.housekeeping(self._db, now)
        self.send_due_messages(self._db)

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
