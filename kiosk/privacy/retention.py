"""Retention: personal data older than ``RETENTION_MONTHS`` is anonymised, counts are kept.

What happens to data whose visit checked in before the cut-off (now minus the period):

* **visits** are unlinked from their person (``member_id`` and ``guest_id`` NULL, the event
  board topics cleared) and marked ``anonymised_at``. They still count as visits in every
  report: the ``summary`` report tells guest visits by ``checkin_method = 'guest'``, the
  ``people`` report gathers them in its "anonymised" row, ``daily`` and ``summary`` count them
  as visits but not as unique people (they can no longer be told apart);
* **mood answers** and **host alerts** stay attached to those visits, so they are anonymous
  counts for the moods report;
* **guests** who signed in before the cut-off and have no later visit are blanked (name and
  first name empty, company, purpose and host NULL, ``anonymised_at`` set) and their badge
  cards revoked; the row stays because event registrations may point at it;
* **scans** received before the cut-off lose their card digest and their visit link (the
  digest of a member's still-active card would otherwise lead back to the anonymised visit);
* **event registrations** lose their link to an anonymised visit;
* before any of that, each visit's figures are frozen onto it (:mod:`kiosk.privacy.freeze`),
  so every closed month's reports read the same afterwards; the per-month keys of months
  with nothing left to anonymise are deleted, and the WAL is checkpointed;
* finished **print jobs** created before the cut-off lose their payload (names, card tokens).

Members' own profiles are not touched: they are current data the member can see, export
and have erased (``kiosk member forget``). A member's visits older than the period simply
stop being theirs. Every run that changes something writes one audit entry with the counts.

**The door comes first.** A pass first asks, by reads alone, whether anything is due (cheap
through the indexes in :mod:`kiosk.privacy.retention_due`); when nothing is, it takes no write
lock at all. Otherwise it works in batches of a few hundred rows
(:mod:`kiosk.privacy.retention_batches`), oldest first, each its own short write transaction,
and rests between them, so a check-in at the door waits for one batch at most. A pass that
stops half-way keeps what its committed batches did, and the next pass goes on from there;
its audit entry counts what it did (after an error; a power cut leaves no entry for it).
"""

from __future__ import annotations

import calendar
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk import audit
from kiosk.clock import Clock
from kiosk.db import checkpoint, checkpoints_by_hand, connect
from kiosk.privacy import retention_batches as batches
from kiosk.privacy.freeze import registration_keys, set_registration_keys
from kiosk.privacy.retention_due import Cutoff, count_due, is_due
from kiosk.reports.facts import month_text
from kiosk.settings import Settings
from kiosk.timeutil import to_db
from kiosk.transactions import read_snapshot, write_transaction

log = logging.getLogger(__name__)

# Rows per write transaction. A batch of visits (the heaviest kind: each is frozen, then
# unlinked) holds the write lock about 10 ms on the benchmark machine, so a few times that on
# a Raspberry Pi; bench/retention.py prints the figures.
BATCH_SIZE = 250
# Between two batches the pass rests as long as the last batch took, and at least this long
# (seconds): check-ins at the door take the write lock then, and the pass keeps to about half
# of one core however slow the machine is.
MIN_PAUSE_SECONDS = 0.01

# In order: visits make the report keys that registrations then get, and only then are the
# keys of finished months forgotten.
_STEPS: list[tuple[str, Callable[..., tuple[int, dict[str, int]]]]] = [
    ("visits", batches.visits),
    ("guests", batches.guests),
    ("scans", batches.scans),
    ("notifications", batches.notifications),
    ("print_jobs", batches.print_jobs),
]


@dataclass
class RetentionResult:
    """What one run anonymised (or, in a dry run, would have)."""

    cutoff: str
    visits: int = 0
    moods: int = 0
    alerts: int = 0
    guests: int = 0
    guest_cards: int = 0
    scans: int = 0
    registrations: int = 0
    print_jobs: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> int:
        """How many rows were (or would be) changed in all."""
        return (
            self.visits
            + self.guests
            + self.guest_cards
            + self.scans
            + self.registrations
            + self.print_jobs
        )

    def add(self, counts: dict[str, int]) -> None:
        """Add a batch's counts (keys are field names) to the totals."""
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON and the audit log."""
        return asdict(self)


def months_before(moment: datetime, months: int) -> datetime:
    """Return ``moment`` minus whole calendar months (the 31st becomes the month's last day)."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _rest(last_batch: float) -> None:
    time.sleep(max(MIN_PAUSE_SECONDS, last_batch))


def anonymise_expired(
    db: sqlite_utils.Database,
    now: datetime,
    months: int,
    *,
    dry_run: bool = False,
    actor: str = "retention",
    tz: ZoneInfo | None = None,
    batch_size: int = BATCH_SIZE,
    pause: Callable[[float], object] = _rest,
) -> RetentionResult:
    """Anonymise what is older than ``months`` before ``now``; return the counts.

    Nothing is written when nothing is due. Otherwise the work goes in batches of at most
    ``batch_size`` rows, each its own write transaction; between two, ``pause`` is called with
    the seconds the last one took, so that others get the write lock. If a batch fails, the
    batches before it stay done, the audit entry records them, and the error is raised; the
    next run goes on. With ``dry_run`` only reads are made, on one snapshot, and the counts are
    what a run would change.
    """
    if months < 1:
        raise ValueError("the retention period must be at least one month")
    if batch_size < 1:
        raise ValueError("a batch holds at least one row")
    tz = tz or Settings().tz
    cutoff_moment = months_before(now, months)
    cutoff = Cutoff(to_db(cutoff_moment), month_text(cutoff_moment, tz))
    result = RetentionResult(cutoff=cutoff.at, dry_run=dry_run)
    if dry_run:
        with read_snapshot(db):
            result.add(count_due(db, cutoff))
        return result
    run = _Pass(db, cutoff, to_db(now), batch_size, pause, tz, result)
    try:
        with checkpoints_by_hand(db):
            run.all_steps()
    finally:
        if result.changed:
            _record(db, now, actor, result)
    if run.batches:
        checkpoint(db)
    return result


class _Pass:
    """One run's batches: what they counted, and how many were committed."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        cutoff: Cutoff,
        stamp: str,
        size: int,
        pause: Callable[[float], object],
        tz: ZoneInfo,
        result: RetentionResult,
    ) -> None:
        self.db, self.cutoff, self.stamp, self.size = db, cutoff, stamp, size
        self.pause, self.tz, self.result = pause, tz, result
        self.batches = 0
        self.last_batch = 0.0  # seconds the last batch held the write lock

    def all_steps(self) -> None:
        """Every kind of row, oldest first, each only when a read says some of it is due."""
        for kind, step in _STEPS:
            if is_due(self.db, kind, self.cutoff):
                self._repeat(step)
        # Registrations get the keys the visits were frozen with, before any key goes.
        keys = registration_keys(self.db, self.tz)
        for start in range(0, len(keys), self.size):
            chunk = keys[start : start + self.size]
            self._batch(lambda db, chunk=chunk: (set_registration_keys(db, chunk), {}))
        if is_due(self.db, "report_keys", self.cutoff):
            self._repeat(batches.report_keys)

    def _repeat(self, step: Callable[..., tuple[int, dict[str, int]]]) -> None:
        """Run ``step`` in batches until one comes back short: nothing of its kind is left."""
        while True:
            taken = self._batch(lambda db: step(db, self.cutoff, self.stamp, self.size, self.tz))
            if taken < self.size:
                return

    def _batch(self, work: Callable[[sqlite_utils.Database], tuple[int, dict[str, int]]]) -> int:
        if self.batches:
            self.pause(self.last_batch)
        started = time.perf_counter()
        with write_transaction(self.db):
            taken, counts = work(self.db)
        self.last_batch = time.perf_counter() - started
        self.batches += 1
        self.result.add(counts)  # only once committed: a rolled-back batch counts nothing
        if not self.db.conn.in_transaction:  # (a caller's own transaction may hold it all)
            checkpoint(self.db, passive=True)  # outside the write lock: no check-in waits
        return taken


def _record(db: sqlite_utils.Database, now: datetime, actor: str, result: RetentionResult) -> None:
    """The run's audit entry; a pass cut short still records what its batches did."""
    try:
        with write_transaction(db):
            audit.record(db, now, actor, "retention.anonymise", None, **result.as_dict())
    except Exception:  # the error that cut the pass short is the one to raise
        log.exception("could not record the retention's audit entry")


class DailyRetention:
    """The retention, run at most once a local day; ``kiosk serve`` calls it every hour.

    It runs when it has not run yet this local day in this process, so a server that restarts
    does no harm: a second run in a day finds nothing left to do. A locked database raises
    DatabaseUnavailable, and the periodic task tries again at the next hour.
    """

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.last_day: date | None = None

    @property
    def months(self) -> int:
        """The configured period; 0 or less turns retention off."""
        return int(self.settings.retention_months or 0)

    def run_once(self) -> RetentionResult | None:
        """Run the retention if it is due today; return what it did, or None."""
        if self.months < 1:
            return None
        now = self.clock.now()
        today = now.astimezone(self.settings.tz).date()
        if self.last_day == today:
            return None
        db = connect(self.settings.database)
        try:
            result = anonymise_expired(db, now, self.months, tz=self.settings.tz)
        finally:
            db.close()
        self.last_day = today
        if result.changed:
            log.info(
                "retention: anonymised %d visit(s) and %d guest(s) older than %s",
                result.visits,
                result.guests,
                result.cutoff,
            )
        return result
