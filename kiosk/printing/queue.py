"""The print queue: jobs in the ``print_jobs`` table, and a worker that prints them.

Check-in never waits for paper. :func:`enqueue` only writes a row, so an offline printer, an
empty paper roll or a missing driver can never fail or slow a check-in; a worker thread
(:class:`PrintWorker`, started by ``kiosk serve``) prints the jobs, and a job that cannot be
printed waits with its error and is tried again.

**At least once.** A badge is printed at least once, never at most once. A job is marked
``printing`` before its bytes are sent and ``done`` after; if the process dies in between, the
job is left ``printing`` and, once its lease (:data:`LEASE_SECONDS`) has run out, it is printed
again. So a crash at the wrong moment can print a badge twice, which is harmless (a second
sticker), whereas the other order could leave a guest without a badge. The same holds for a
connection that breaks in the middle of a job: the job is sent again in full.

Jobs that could not be printed for too long (:data:`MAX_AGE`) are cancelled instead of printed:
a guest badge that comes out two hours late helps nobody and wastes a sticker. The dashboard
can reprint any job (:func:`reprint`).

Statuses: ``pending`` (waiting; ``last_error`` says why when it has failed before),
``printing``, ``done``, ``failed`` (cannot ever print: a bad payload, or too many attempts),
``cancelled`` (expired, cancelled by staff, or printing is turned off).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.clock import Clock, SystemClock
from kiosk.devices import record_device_state
from kiosk.errors import KioskError
from kiosk.periodic import PeriodicTask
from kiosk.settings import Settings
from kiosk.timeutil import to_db
from printer.errors import PrinterError, RenderError
from printer.jobs import KINDS, parse_payload, render_job
from printer.transports import PrinterStatus, Transport, open_transport

log = logging.getLogger(__name__)

DEVICE = "printer"
LEASE_SECONDS = 120  # a job "printing" for longer than this was lost in a crash: print it again
MAX_ATTEMPTS = 30  # transient errors are retried up to this many times, then the job fails
BACKOFF_START_SECONDS = 5
BACKOFF_MAX_SECONDS = 60  # at most a minute between tries: the printer often comes back soon
MAX_AGE: dict[str, timedelta | None] = {
    "guest_badge": timedelta(hours=1),
    "member_badge": timedelta(hours=1),
    "name_tag": timedelta(hours=2),
    "test": timedelta(minutes=30),
    "roll_call": timedelta(minutes=30),  # an old roll-call is a wrong roll-call
    "member_card": None,
}


class JobNotFound(KioskError, LookupError):
    """No print job has that id."""


# --- settings ---------------------------------------------------------------------------


def printer_width(settings: Settings) -> int:
    """The paper width in mm from ``KIOSK_PRINTER_WIDTH`` (58 or 80, checked at start-up)."""
    return settings.printer_width


def preview_directory(settings: Settings) -> Path | None:
    """The folder badge previews go to, when ``KIOSK_PRINTER`` is ``preview:DIR``."""
    spec = str(settings.printer or "")
    return Path(spec.removeprefix("preview:")) if spec.startswith("preview:") else None


def transport_from_settings(settings: Settings) -> Transport:
    """The transport ``KIOSK_PRINTER`` names; ``KIOSK_PRINTER_CUT`` (default: yes on 80 mm
    paper, no on 58 mm, where printers seldom have a cutter) says whether to cut."""
    cut = settings.printer_width == 80 if settings.printer_cut is None else settings.printer_cut
    return open_transport(settings.printer, cut=cut)


# --- writing jobs -----------------------------------------------------------------------


def enqueue(
    db: sqlite_utils.Database,
    kind: str,
    payload: Mapping[str, Any],
    now: datetime,
    visit_id: int | None = None,
) -> int:
    """Queue a print job and return its id. Never touches the printer.

    ``payload`` is checked against ``kind`` first (see :mod:`printer.jobs`); a wrong payload is
    a programming error and raises :class:`printer.errors.RenderError` (a ValueError).
    """
    parse_payload(kind, payload)
    stamp = to_db(now)
    cursor = db.execute(
        "INSERT INTO print_jobs (kind, payload, status, attempts, created_at, updated_at,"
        " next_attempt_at, visit_id) VALUES (?, ?, 'pending', 0, ?, ?, ?, ?)",
        [kind, json.dumps(dict(payload), ensure_ascii=False), stamp, stamp, stamp, visit_id],
    )
    return int(cursor.lastrowid or 0)


class JobNotReprintable(KioskError, ValueError):
    """The job's content is gone (erased, or a roll call purged once printed)."""


# Who may print each kind, and so reprint it: a member card is a working key to a person's
# check-in, so only admins print it; badges and the roll call are any staff member's.
PRINT_ROLE = {"member_card": "admin"}


def reprint_role(kind: str) -> str:
    """The staff role needed to (re)print a job of ``kind``: ``admin`` or ``host``."""
    return PRINT_ROLE.get(kind, "host")


def reprint(db: sqlite_utils.Database, job_id: int, now: datetime) -> int:
    """Queue the job ``job_id`` again, as a new job with the same content; return the new id."""
    job = get_job(db, job_id)
    if not job["payload"]:
        raise JobNotReprintable(f"print job {job_id} has no content left to print")
    return enqueue(db, job["kind"], job["payload"], now, visit_id=job["visit_id"])


def cancel(db: sqlite_utils.Database, job_id: int, now: datetime) -> bool:
    """Cancel a job that has not been printed yet; return whether it was cancelled."""
    get_job(db, job_id)
    cursor = db.execute(
        "UPDATE print_jobs SET status = 'cancelled', updated_at = ?, next_attempt_at = NULL,"
        " last_error = coalesce(last_error, 'cancelled') WHERE id = ? AND status = 'pending'",
        [to_db(now), job_id],
    )
    return cursor.rowcount == 1


# --- reading jobs (the dashboard) --------------------------------------------------------


def _row(row: Mapping[str, Any]) -> dict[str, Any]:
    job = dict(row)
    try:
        job["payload"] = json.loads(job["payload"])
    except (TypeError, ValueError):
        job["payload"] = {}
    payload = job["payload"] if isinstance(job["payload"], dict) else {}
    # A short text for the dashboard's list: whose badge or which card.
    job["summary"] = (
        payload.get("name") or payload.get("first_name") or payload.get("generated_text") or ""
    )
    return job


def get_job(db: sqlite_utils.Database, job_id: int) -> dict[str, Any]:
    """One job with its payload decoded; raise JobNotFound when there is none."""
    rows = list(db.query("SELECT * FROM print_jobs WHERE id = ?", [job_id]))
    if not rows:
        raise JobNotFound(f"no print job {job_id}")
    return _row(rows[0])


def recent_jobs(db: sqlite_utils.Database, limit: int = 20) -> list[dict[str, Any]]:
    """The newest jobs first, each with ``payload`` decoded and a ``summary`` text."""
    return [
        _row(row) for row in db.query("SELECT * FROM print_jobs ORDER BY id DESC LIMIT ?", [limit])
    ]


def failing_jobs(db: sqlite_utils.Database, limit: int = 50) -> list[dict[str, Any]]:
    """Jobs that need attention: failed ones, and pending ones that have already failed."""
    return [
        _row(row)
        for row in db.query(
            "SELECT * FROM print_jobs WHERE status = 'failed'"
            " OR (status IN ('pending', 'printing') AND last_error IS NOT NULL)"
            " ORDER BY id DESC LIMIT ?",
            [limit],
        )
    ]


def pending_count(db: sqlite_utils.Database) -> int:
    """How many jobs wait to be printed."""
    return int(
        db.execute(
            "SELECT count(*) FROM print_jobs WHERE status IN ('pending', 'printing')"
        ).fetchone()[0]
    )


# --- printer state ------------------------------------------------------------------------


def record_printer_state(
    db: sqlite_utils.Database, kind: str, status: PrinterStatus, now: datetime
) -> None:
    """Store the printer's state in ``device_status`` (device ``printer``)."""
    record_device_state(db, DEVICE, kind, status.state, status.detail, now)


def printer_state(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """The last known printer state: ``kind``, ``state``, ``detail``, ``updated_at``, plus
    ``pending`` (jobs waiting); None before the worker first ran."""
    rows = list(db.query("SELECT * FROM device_status WHERE device = ?", [DEVICE]))
    if not rows:
        return None
    state = dict(rows[0])
    state["pending"] = pending_count(db)
    return state


def refresh_status(db: sqlite_utils.Database, transport: Transport, now: datetime) -> PrinterStatus:
    """Ask the printer how it is, store the answer and return it. Never raises PrinterError."""
    try:
        status = transport.status()
    except PrinterError as exc:
        status = PrinterStatus(exc.state, str(exc))
    record_printer_state(db, transport.kind, status, now)
    return status


# --- the worker's steps -------------------------------------------------------------------


@dataclass
class WorkResult:
    """What one pass over the due jobs did."""

    printed: int = 0
    waiting: int = 0
    failed: int = 0
    cancelled: int = 0


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 5 s, 10 s, 20 s… up to 60 s."""
    seconds = BACKOFF_START_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(BACKOFF_MAX_SECONDS, seconds))


def _expire(db: sqlite_utils.Database, now: datetime) -> int:
    expired = 0
    for kind, age in MAX_AGE.items():
        if age is None:
            continue
        cursor = db.execute(
            "UPDATE print_jobs SET status = 'cancelled', updated_at = ?, next_attempt_at = NULL,"
            " last_error = 'not printed within ' || ? || ' minutes: ' || coalesce(last_error, '')"
            " WHERE kind = ? AND status IN ('pending', 'printing') AND created_at < ?"
            " AND (status = 'pending' OR updated_at < ?)",
            [
                to_db(now),
                int(age.total_seconds() // 60),
                kind,
                to_db(now - age),
                # a 'printing' job is only given up once its lease ran out (a crash left it)
                to_db(now - timedelta(seconds=LEASE_SECONDS)),
            ],
        )
        expired += cursor.rowcount
    return expired


def due_jobs(db: sqlite_utils.Database, now: datetime, limit: int = 10) -> list[dict[str, Any]]:
    """Pending jobs whose time has come, and jobs left ``printing`` by a crash, oldest first."""
    lease = to_db(now - timedelta(seconds=LEASE_SECONDS))
    return [
        _row(row)
        for row in db.query(
            "SELECT * FROM print_jobs WHERE (status = 'pending' AND (next_attempt_at IS NULL"
            " OR next_attempt_at <= ?)) OR (status = 'printing' AND updated_at < ?)"
            " ORDER BY id LIMIT ?",
            [to_db(now), lease, limit],
        )
    ]


def _claim(db: sqlite_utils.Database, job_id: int, now: datetime) -> bool:
    # One UPDATE decides, so two workers (two server processes) never both take a job.
    lease = to_db(now - timedelta(seconds=LEASE_SECONDS))
    cursor = db.execute(
        "UPDATE print_jobs SET status = 'printing', attempts = attempts + 1, updated_at = ?"
        " WHERE id = ? AND (status = 'pending' OR (status = 'printing' AND updated_at < ?))",
        [to_db(now), job_id, lease],
    )
    return cursor.rowcount == 1


def _finish(
    db: sqlite_utils.Database,
    job_id: int,
    status: str,
    now: datetime,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    # A printed roll call has done its job; its list of names is not kept for later.
    db.execute(
        "UPDATE print_jobs SET status = ?, updated_at = ?, last_error = ?, next_attempt_at = ?,"
        " printed_at = CASE WHEN ? = 'done' THEN ? ELSE printed_at END,"
        " payload = CASE WHEN ? = 'done' AND kind = 'roll_call' THEN '{}' ELSE payload END"
        " WHERE id = ?",
        [
            status,
            to_db(now),
            error,
            to_db(retry_at) if retry_at else None,
            status,
            to_db(now),
            status,
            job_id,
        ],
    )


def _wait_all(
    db: sqlite_utils.Database, jobs: list[dict[str, Any]], error: PrinterError, now: datetime
) -> None:
    """The printer is not ready: every due job waits with the reason, without an attempt."""
    retry_at = to_db(now + timedelta(seconds=BACKOFF_START_SECONDS))
    for job in jobs:
        db.execute(
            "UPDATE print_jobs SET status = 'pending', last_error = ?, next_attempt_at = ?,"
            " updated_at = ? WHERE id = ? AND status IN ('pending', 'printing')",
            [str(error), retry_at, to_db(now), job["id"]],
        )


def process_due(
    db: sqlite_utils.Database,
    transport: Transport,
    now: datetime,
    *,
    width: int = 80,
    limit: int = 10,
) -> WorkResult:
    """Print the jobs that are due; record each outcome and the printer's state.

    The printer is asked for its status first (where the transport can), so that with the paper
    out the jobs wait in the database, where the dashboard sees them, not in the printer's
    buffer. Raises nothing for printer trouble: that is recorded on the jobs.
    """
    result = WorkResult(cancelled=_expire(db, now))
    jobs = due_jobs(db, now, limit)
    if not jobs:
        return result
    try:
        status = transport.check_ready()
    except PrinterError as exc:
        record_printer_state(db, transport.kind, PrinterStatus(exc.state, str(exc)), now)
        if not exc.transient:
            for job in jobs:
                _finish(db, job["id"], "cancelled", now, str(exc))
            result.cancelled += len(jobs)
        else:
            _wait_all(db, jobs, exc, now)
            result.waiting += len(jobs)
        return result
    for index, job in enumerate(jobs):
        if not _claim(db, job["id"], now):
            continue  # another worker took it
        attempts = int(job["attempts"]) + 1
        try:
            image = render_job(job["kind"], job["payload"], width)
        except RenderError as exc:
            _finish(db, job["id"], "failed", now, f"cannot draw this job: {exc}")
            result.failed += 1
            continue
        try:
            transport.print_image(image, label=f"job{job['id']}-{job['kind']}")
        except PrinterError as exc:
            record_printer_state(db, transport.kind, PrinterStatus(exc.state, str(exc)), now)
            if not exc.transient:
                _finish(db, job["id"], "cancelled", now, str(exc))
                result.cancelled += 1
            elif attempts >= MAX_ATTEMPTS:
                _finish(db, job["id"], "failed", now, f"gave up after {attempts} tries: {exc}")
                result.failed += 1
            else:
                _finish(db, job["id"], "pending", now, str(exc), now + backoff(attempts))
                result.waiting += 1
            _wait_all(db, jobs[index + 1 :], exc, now)
            result.waiting += len(jobs) - index - 1
            return result
        _finish(db, job["id"], "done", now)
        result.printed += 1
    record_printer_state(
        db,
        transport.kind,
        status if status.state != "unknown" else PrinterStatus("ready", "last job sent"),
        now,
    )
    return result


def make_due_now(db: sqlite_utils.Database, now: datetime) -> int:
    """Make every waiting job due at once (the printer came back); return how many."""
    cursor = db.execute(
        "UPDATE print_jobs SET next_attempt_at = ?"
        " WHERE status = 'pending' AND next_attempt_at > ?",
        [to_db(now), to_db(now)],
    )
    return cursor.rowcount


# --- the worker thread --------------------------------------------------------------------


class PrintWorker(PeriodicTask):
    """The print queue's worker: prints due jobs about every second, or at once when woken.

    ``connect`` opens the worker's own database connection (inside the thread); ``transport``
    is the printer. ``kiosk serve`` starts one per server process::

        worker = PrintWorker.from_settings(settings, lambda: connect(settings.database))
        worker.start()
        ...
        queue_id = enqueue(db, "guest_badge", payload, now, visit_id)
        worker.wake()  # optional: print at once instead of within a second
        ...
        worker.stop()
    """

    def __init__(
        self,
        connect: Callable[[], sqlite_utils.Database],
        transport: Transport,
        *,
        width: int = 80,
        clock: Clock | None = None,
        interval: float = 1.0,
        status_interval: float = 15.0,
    ) -> None:
        super().__init__("print queue", interval, self.print_due_jobs, on_exit=self._close)
        self._connect = connect
        self.transport = transport
        self.width = width
        self.clock = clock or SystemClock()
        self.status_interval = status_interval
        self._db: sqlite_utils.Database | None = None
        self._last_status: datetime | None = None
        self._was_ready = True

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        connect: Callable[[], sqlite_utils.Database],
        clock: Clock | None = None,
    ) -> PrintWorker:
        """A worker for ``KIOSK_PRINTER``, ``KIOSK_PRINTER_WIDTH`` and ``KIOSK_PRINTER_CUT``."""
        return cls(
            connect, transport_from_settings(settings), width=printer_width(settings), clock=clock
        )

    def print_due_jobs(self) -> None:
        """One pass: ask the printer how it is when due, then print the jobs that are due."""
        if self._db is None:
            self._db = self._connect()
        db = self._db
        now = self.clock.now()
        if self._last_status is None or (now - self._last_status).total_seconds() >= (
            self.status_interval if self._was_ready else self.interval * 2
        ):
            # While the printer is in trouble it is asked often, so that the jobs print as
            # soon as the paper is in; while it is fine, now and then.
            status = refresh_status(db, self.transport, now)
            self._last_status = now
            if status.can_print and not self._was_ready:
                make_due_now(db, now)
            self._was_ready = status.can_print
        result = process_due(db, self.transport, now, width=self.width)
        if result.waiting:
            self._was_ready = False

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


__all__ = [
    "KINDS",
    "JobNotFound",
    "PrintWorker",
    "WorkResult",
    "cancel",
    "enqueue",
    "failing_jobs",
    "get_job",
    "printer_state",
    "process_due",
    "recent_jobs",
    "refresh_status",
    "reprint",
]
