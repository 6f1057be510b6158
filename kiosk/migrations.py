"""The schema's whole history: one function a step, recorded by sqlite-utils' Migrations.

Never edit a step that has shipped; add a new one. ``kiosk db migrate`` and app start-up both
call :func:`apply_migrations`, which only runs the steps a database has not had yet.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("kiosk")


@migrations()
def m001_initial_schema(db: sqlite_utils.Database) -> None:
    """People, cards, visits, moods, alerts, staff, print jobs, events and the audit log."""
    _run_statements(
        db,
        """
        CREATE TABLE members (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            first_name TEXT NOT NULL,
            company TEXT,
            business_id TEXT,
            email TEXT,
            phone TEXT,
            language TEXT NOT NULL DEFAULT 'fi',
            interests TEXT,
            can_help_with TEXT,
            looking_for TEXT,
            approach_ok INTEGER NOT NULL DEFAULT 0,
            research_consent INTEGER NOT NULL DEFAULT 0,
            consent_version TEXT,
            consent_at TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            is_demo INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            forgotten_at TEXT
        );
        CREATE INDEX members_name ON members(name);

        CREATE TABLE guests (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            first_name TEXT NOT NULL,
            company TEXT,
            purpose TEXT,
            host_name TEXT,
            language TEXT NOT NULL DEFAULT 'fi',
            consent_version TEXT NOT NULL,
            consent_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            anonymised_at TEXT
        );

        CREATE TABLE cards (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            member_id INTEGER REFERENCES members(id),
            guest_id INTEGER REFERENCES guests(id),
            issued_at TEXT NOT NULL,
            revoked_at TEXT,
            CHECK ((member_id IS NULL) <> (guest_id IS NULL))
        );
        CREATE UNIQUE INDEX cards_one_active_per_member
            ON cards(member_id) WHERE revoked_at IS NULL AND member_id IS NOT NULL;
        CREATE INDEX cards_guest ON cards(guest_id);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'muu',
            starts_at TEXT NOT NULL,
            ends_at TEXT NOT NULL,
            room TEXT,
            capacity INTEGER,
            host TEXT,
            description TEXT,
            created_at TEXT NOT NULL,
            cancelled_at TEXT
        );
        CREATE INDEX events_starts ON events(starts_at);

        CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            member_id INTEGER REFERENCES members(id),
            guest_id INTEGER REFERENCES guests(id),
            checked_in_at TEXT NOT NULL,
            checked_out_at TEXT,
            checkin_method TEXT NOT NULL
                CHECK (checkin_method IN ('card', 'guest', 'manual')),
            checkout_method TEXT
                CHECK (checkout_method IN ('card', 'manual', 'automatic')),
            event_id INTEGER REFERENCES events(id),
            board_opt_in INTEGER NOT NULL DEFAULT 0,
            board_topics TEXT,
            anonymised_at TEXT
        );
        CREATE INDEX visits_checked_in ON visits(checked_in_at);
        CREATE INDEX visits_member ON visits(member_id, checked_in_at);
        CREATE INDEX visits_guest ON visits(guest_id);
        CREATE INDEX visits_open ON visits(checked_in_at) WHERE checked_out_at IS NULL;

        CREATE TABLE mood_answers (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER REFERENCES visits(id) ON DELETE SET NULL,
            answered_at TEXT NOT NULL,
            mood INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5)
        );
        CREATE UNIQUE INDEX mood_answers_visit ON mood_answers(visit_id);
        CREATE INDEX mood_answers_at ON mood_answers(answered_at);

        CREATE TABLE host_alerts (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER REFERENCES visits(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'request' CHECK (kind IN ('request', 'low_mood')),
            wants_chat INTEGER NOT NULL DEFAULT 0,
            topics TEXT NOT NULL DEFAULT '[]',
            handled_at TEXT,
            handled_by TEXT
        );
        CREATE INDEX host_alerts_open ON host_alerts(created_at) WHERE handled_at IS NULL;
        CREATE INDEX host_alerts_at ON host_alerts(created_at);

        CREATE TABLE event_registrations (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            member_id INTEGER REFERENCES members(id),
            guest_id INTEGER REFERENCES guests(id),
            visit_id INTEGER REFERENCES visits(id),
            registered_at TEXT NOT NULL,
            attended_at TEXT,
            CHECK ((member_id IS NULL) <> (guest_id IS NULL))
        );
        CREATE UNIQUE INDEX event_registrations_member
            ON event_registrations(event_id, member_id) WHERE member_id IS NOT NULL;
        CREATE UNIQUE INDEX event_registrations_guest
            ON event_registrations(event_id, guest_id) WHERE guest_id IS NOT NULL;

        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            idempotency_key TEXT UNIQUE,
            device TEXT NOT NULL,
            code_digest TEXT NOT NULL,
            result TEXT NOT NULL,
            visit_id INTEGER REFERENCES visits(id) ON DELETE SET NULL,
            seen_at TEXT NOT NULL,
            received_at TEXT NOT NULL
        );
        CREATE INDEX scans_received ON scans(received_at);

        CREATE TABLE staff_users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('host', 'admin')),
            active INTEGER NOT NULL DEFAULT 1,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL,
            last_login_at TEXT
        );

        CREATE TABLE print_jobs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'printing', 'done', 'failed', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            next_attempt_at TEXT,
            printed_at TEXT,
            visit_id INTEGER REFERENCES visits(id) ON DELETE SET NULL
        );
        CREATE INDEX print_jobs_status ON print_jobs(status, next_attempt_at);

        CREATE TABLE device_status (
            device TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            detail TEXT,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT,
            details TEXT
        );
        CREATE INDEX audit_log_at ON audit_log(at);
        """,
    )


@migrations()
def m002_event_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for the events report and attendance, which read registrations by event."""
    _run_statements(
        db,
        """
        CREATE INDEX event_registrations_event ON event_registrations(event_id);
        CREATE INDEX visits_event ON visits(event_id) WHERE event_id IS NOT NULL;
        """,
    )


@migrations()
def m003_event_extras(db: sqlite_utils.Database) -> None:
    """Dismissed introduction suggestions: the host said "not these two" for a pair."""
    _run_statements(
        db,
        """
        CREATE TABLE introduction_dismissals (
            id INTEGER PRIMARY KEY,
            helper_member_id INTEGER NOT NULL REFERENCES members(id),
            seeker_member_id INTEGER NOT NULL REFERENCES members(id),
            dismissed_at TEXT NOT NULL,
            dismissed_by TEXT NOT NULL
        );
        CREATE UNIQUE INDEX introduction_dismissals_pair
            ON introduction_dismissals(helper_member_id, seeker_member_id)
        """,
    )


@migrations()
def m030_roll_call_ticks(db: sqlite_utils.Database) -> None:
    """A fire roll call's ticks: who is accounted for, shared between the hosts' phones."""
    _run_statements(
        db,
        """
        CREATE TABLE roll_calls (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            started_by TEXT NOT NULL
        );
        CREATE TABLE roll_call_ticks (
            roll_call_id INTEGER NOT NULL REFERENCES roll_calls(id),
            visit_id INTEGER NOT NULL REFERENCES visits(id),
            ticked_at TEXT NOT NULL,
            ticked_by TEXT NOT NULL,
            PRIMARY KEY (roll_call_id, visit_id)
        )
        """,
    )


def _run_statements(db: sqlite_utils.Database, script: str) -> None:
    # executescript() would COMMIT the transaction Migrations opened around the step, so the
    # statements run one at a time and the step stays all-or-nothing.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def apply_migrations(db: sqlite_utils.Database) -> list[str]:
    """Apply the pending steps and return their names (empty when the schema is current)."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def schema_version(db: sqlite_utils.Database) -> list[str]:
    """Return the names of the steps applied to ``db``, oldest first."""
    return [m.name for m in migrations.applied(db)]


def known_steps() -> list[str]:
    """Return the names of every step this code knows, oldest first."""
    empty = sqlite_utils.Database(memory=True)
    try:
        return [m.name for m in migrations.pending(empty)]
    finally:
        empty.close()
