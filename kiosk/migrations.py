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
def m010_notification_queue(db: sqlite_utils.Database) -> None:
    """Outgoing host notifications, each with its own Message-ID; reminders on alerts."""
    _run_statements(
        db,
        """
        CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL UNIQUE,
            dedupe_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'teams')),
            destination TEXT NOT NULL,
            staff_user_id INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
            alert_id INTEGER REFERENCES host_alerts(id) ON DELETE SET NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            link TEXT,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            next_attempt_at TEXT,
            sent_at TEXT
        );
        CREATE INDEX notifications_due ON notifications(status, next_attempt_at);
        CREATE INDEX notifications_alert ON notifications(alert_id) WHERE alert_id IS NOT NULL;
        ALTER TABLE host_alerts ADD COLUMN reminded_at TEXT;
        ALTER TABLE guests ADD COLUMN host_staff_id INTEGER REFERENCES staff_users(id)
        """,
    )


@migrations()
def m011_staff_notify_choices(db: sqlite_utils.Database) -> None:
    """What each staff member is told, where, and when not: email, kinds, duty, quiet hours."""
    _run_statements(
        db,
        """
        ALTER TABLE staff_users ADD COLUMN email TEXT;
        ALTER TABLE staff_users ADD COLUMN display_name TEXT;
        ALTER TABLE staff_users ADD COLUMN notify_kinds TEXT NOT NULL
            DEFAULT '["request", "low_mood", "guest", "reminder"]';
        ALTER TABLE staff_users ADD COLUMN on_duty_until TEXT;
        ALTER TABLE staff_users ADD COLUMN quiet_from TEXT;
        ALTER TABLE staff_users ADD COLUMN quiet_until TEXT
        """,
    )


@migrations()
def m050_door_devices(db: sqlite_utils.Database) -> None:
    """Door devices paired from the staff Devices page, each with its own scanning source.

    ``camera`` is NULL while the door follows KIOSK_DOOR_CAMERA. ``pair_nonce`` is set while a
    pairing QR code is on offer and cleared when a tablet uses it, so each code works once.
    """
    _run_statements(
        db,
        """
        CREATE TABLE door_devices (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            camera TEXT CHECK (camera IN ('server', 'browser', 'none')),
            pair_nonce TEXT,
            created_at TEXT NOT NULL,
            paired_at TEXT
        )
        """,
    )


@migrations()
def m040_funder_figures(db: sqlite_utils.Database) -> None:
    """Optional profile classes, figures that survive anonymisation, self-reported check-outs.

    * members and guests get the optional classes the funder's indicators use;
    * a visit keeps, once anonymised, what its month's figures need (an anonymous per-month
      person key, the company key and the profile classes), and whether it was the person's
      first visit, decided when it was made;
    * a registration keeps the same anonymous key, so attendance never counts a person twice;
    * ``report_keys`` holds the per-month keys while a month is being anonymised;
    * ``known_companies`` remembers which company name goes with which Y-tunnus.
    """
    profile = ("size_class TEXT", "company_new INTEGER", "gender TEXT", "age_band TEXT")
    statements = [
        f"ALTER TABLE {table} ADD COLUMN {column}"
        for table in ("members", "guests")
        for column in profile
    ]
    statements += [
        f"ALTER TABLE visits ADD COLUMN {column}"
        for column in (
            *profile,
            "person_key TEXT",
            "company_key TEXT",
            "first_visit INTEGER",
            "checkout_self_reported INTEGER NOT NULL DEFAULT 0",
        )
    ]
    statements.append("ALTER TABLE event_registrations ADD COLUMN person_key TEXT")
    for statement in statements:
        db.execute(statement)
    _run_statements(
        db,
        """
        CREATE TABLE report_keys (
            month TEXT NOT NULL,
            person TEXT NOT NULL,
            key TEXT NOT NULL,
            PRIMARY KEY (month, person)
        );
        CREATE TABLE known_companies (
            name_key TEXT PRIMARY KEY,
            business_id TEXT NOT NULL
        );
        CREATE INDEX visits_guest_time ON visits(guest_id, checked_in_at);
        UPDATE visits SET first_visit = CASE
            WHEN member_id IS NOT NULL THEN NOT EXISTS (
                SELECT 1 FROM visits AS e WHERE e.member_id = visits.member_id
                AND (e.checked_in_at < visits.checked_in_at
                     OR (e.checked_in_at = visits.checked_in_at AND e.id < visits.id)))
            WHEN guest_id IS NOT NULL THEN NOT EXISTS (
                SELECT 1 FROM visits AS e WHERE e.guest_id = visits.guest_id
                AND (e.checked_in_at < visits.checked_in_at
                     OR (e.checked_in_at = visits.checked_in_at AND e.id < visits.id)))
            END
        """,
    )
    from kiosk.companies import remember_companies

    remember_companies(db)


@migrations()
def m020_member_pins(db: sqlite_utils.Database) -> None:
    """A member's optional door PIN (a salted hash), for the forgotten-card path."""
    _run_statements(db, "ALTER TABLE members ADD COLUMN pin_hash TEXT")


@migrations()
def m020_staff_sessions_and_lockouts(db: sqlite_utils.Database) -> None:
    """Server-side staff sessions (revocable, with an absolute lifetime), lockouts per
    username and address, and the addresses each login has succeeded from."""
    _run_statements(
        db,
        """
        CREATE TABLE staff_sessions (
            id TEXT PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id);

        CREATE TABLE staff_login_failures (
            username TEXT NOT NULL,
            address TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (username, address)
        );

        CREATE TABLE staff_known_addresses (
            staff_id INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
            address TEXT NOT NULL,
            last_login_at TEXT NOT NULL,
            PRIMARY KEY (staff_id, address)
        )
        """,
    )


@migrations()
def m020_scan_keys_per_device_and_code(db: sqlite_utils.Database) -> None:
    """Idempotency keys count per device and code, not across every scan ever made: the
    table is rebuilt without the column's global UNIQUE."""
    _run_statements(
        db,
        """
        CREATE TABLE scans_new (
            id INTEGER PRIMARY KEY,
            idempotency_key TEXT,
            device TEXT NOT NULL,
            code_digest TEXT NOT NULL,
            result TEXT NOT NULL,
            visit_id INTEGER REFERENCES visits(id) ON DELETE SET NULL,
            seen_at TEXT NOT NULL,
            received_at TEXT NOT NULL
        );
        INSERT INTO scans_new SELECT id, idempotency_key, device, code_digest, result,
            visit_id, seen_at, received_at FROM scans;
        DROP TABLE scans;
        ALTER TABLE scans_new RENAME TO scans;
        CREATE INDEX scans_received ON scans(received_at);
        CREATE UNIQUE INDEX scans_idempotency
            ON scans(idempotency_key, device, code_digest) WHERE idempotency_key IS NOT NULL
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


@migrations()
def m060_mood_answers_time_and_mood(db: sqlite_utils.Database) -> None:
    """Mood answers indexed by time and mood together, in place of time alone.

    The dashboard's mood trend (twelve weeks) and the mood reports count answers and add up
    their moods by time; with the mood in the index they never read the table (the trend on
    the ten-year database: 3.2 ms -> 0.9 ms). Still one index, so an answer costs the same.
    """
    _run_statements(
        db,
        """
        CREATE INDEX mood_answers_at_mood ON mood_answers(answered_at, mood);
        DROP INDEX mood_answers_at
        """,
    )


@migrations()
def m061_retention_indexes(db: sqlite_utils.Database) -> None:
    """Indexes that let the daily retention find what it has left to do without scanning.

    The partial indexes hold only rows retention has not reached yet, so "is anything older
    than the cut-off still named?" reads a handful of index entries, however many years of
    anonymised rows the database holds. Alerts and registrations are read by visit in
    retention's batches.
    """
    _run_statements(
        db,
        """
        CREATE INDEX visits_not_anonymised ON visits(checked_in_at) WHERE anonymised_at IS NULL;
        CREATE INDEX guests_not_anonymised ON guests(created_at) WHERE anonymised_at IS NULL;
        CREATE INDEX scans_not_anonymised ON scans(received_at)
            WHERE code_digest != 'anonymised';
        CREATE INDEX print_jobs_with_payload ON print_jobs(created_at) WHERE payload != '{}';
        CREATE INDEX notifications_with_text ON notifications(created_at)
            WHERE subject != '' OR body != '';
        CREATE INDEX host_alerts_visit ON host_alerts(visit_id) WHERE visit_id IS NOT NULL;
        CREATE INDEX event_registrations_visit ON event_registrations(visit_id)
            WHERE visit_id IS NOT NULL
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
