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
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk import audit
from kiosk.clock import Clock
from kiosk.db import checkpoint, connect
from kiosk.notify import queue as notify_queue
from kiosk.privacy.freeze import forget_keys, freeze_visits
from kiosk.reports.facts import month_text
from kiosk.settings import Settings
from kiosk.timeutil import to_db
from kiosk.transactions import write_transaction

log = logging.getLogger(__name__)

FINISHED_PRINT_STATES = ("done", "failed", "cancelled")


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


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def anonymise_expired(
    db: sqlite_utils.Database,
    now: datetime,
    months: int,
    *,
    dry_run: bool = False,
    actor: str = "retention",
    tz: ZoneInfo | None = None,
) -> RetentionResult:
    """Anonymise what is older than ``months`` before ``now``; return the counts.

    All or nothing, in one write transaction. With ``dry_run`` the same statements run and
    are rolled back, so the counts are exactly what a real run would change.
    """
    if months < 1:
        raise ValueError("the retention period must be at least one month")
    tz = tz or Settings().tz
    cutoff_moment = months_before(now, months)
    cutoff = to_db(cutoff_moment)
    stamp = to_db(now)
    result = RetentionResult(cutoff=cutoff, dry_run=dry_run)
    try:
        with write_transaction(db):
            freeze_visits(
                db,
                "v.checked_in_at < :cutoff AND v.anonymised_at IS NULL",
                {"cutoff": cutoff},
                tz,
            )
            _anonymise(db, cutoff, stamp, result)
            # Months wholly before the cut-off have no named visit left: their keys go.
            forget_keys(db, before_month=month_text(cutoff_moment, tz))
            if dry_run:
                raise _DryRun
            if result.changed:
                audit.record(db, now, actor, "retention.anonymise", None, **result.as_dict())
    except _DryRun:
        pass
    if result.changed and not dry_run:
        checkpoint(db)
    return result


def _anonymise(db: sqlite_utils.Database, cutoff: str, stamp: str, result: RetentionResult) -> None:
    execute = db.conn.execute
    old_visits = (
        "SELECT id FROM visits WHERE checked_in_at < :cutoff AND anonymised_at IS NULL "
        "AND (member_id IS NOT NULL OR guest_id IS NOT NULL)"
    )
    params = {"cutoff": cutoff, "stamp": stamp}
    result.moods = execute(
        f"SELECT count(*) FROM mood_answers WHERE visit_id IN ({old_visits})",  # noqa: S608
        params,
    ).fetchone()[0]
    result.alerts = execute(
        f"SELECT count(*) FROM host_alerts WHERE visit_id IN ({old_visits})",  # noqa: S608
        params,
    ).fetchone()[0]
    result.registrations = execute(
        f"UPDATE event_registrations SET visit_id = NULL WHERE visit_id IN ({old_visits})",  # noqa: S608
        params,
    ).rowcount
    # Guests whose every visit is older than the cut-off (and who signed in before it).
    old_guests = (
        "SELECT id FROM guests WHERE anonymised_at IS NULL AND created_at < :cutoff "
        "AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.guest_id = guests.id "
        "AND v.checked_in_at >= :cutoff)"
    )
    guest_ids = [row[0] for row in execute(old_guests, params)]
    result.visits = execute(
        "UPDATE visits SET member_id = NULL, guest_id = NULL, board_topics = NULL, "
        "board_opt_in = 0, anonymised_at = :stamp "
        "WHERE checked_in_at < :cutoff AND anonymised_at IS NULL "
        "AND (member_id IS NOT NULL OR guest_id IS NOT NULL)",
        params,
    ).rowcount
    # Visits that lost their person another way (an erased member) get the mark too, so
    # every report treats them alike; they are not counted as newly anonymised.
    execute(
        "UPDATE visits SET anonymised_at = :stamp WHERE checked_in_at < :cutoff "
        "AND anonymised_at IS NULL AND member_id IS NULL AND guest_id IS NULL",
        params,
    )
    for guest_id in guest_ids:
        execute(
            "UPDATE guests SET name = '', first_name = '', company = NULL, purpose = NULL, "
            "host_name = NULL, size_class = NULL, company_new = NULL, gender = NULL, "
            "age_band = NULL, anonymised_at = :stamp WHERE id = :id",
            {**params, "id": guest_id},
        )
        result.guest_cards += execute(
            "UPDATE cards SET revoked_at = :stamp WHERE guest_id = :id AND revoked_at IS NULL",
            {**params, "id": guest_id},
        ).rowcount
    result.guests = len(guest_ids)
    result.scans = execute(
        "UPDATE scans SET code_digest = 'anonymised', visit_id = NULL "
        "WHERE received_at < :cutoff AND code_digest != 'anonymised'",
        params,
    ).rowcount
    notify_queue.erase_older_than(db, cutoff)
    marks = ", ".join(f"'{state}'" for state in FINISHED_PRINT_STATES)
    result.print_jobs = execute(
        f"UPDATE print_jobs SET payload = '{{}}', last_error = NULL "  # noqa: S608
        f"WHERE created_at < :cutoff AND status IN ({marks}) AND payload != '{{}}'",
        params,
    ).rowcount


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
