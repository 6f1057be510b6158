"""Who gets what: turn an alert, a guest's arrival, a late alert or a new day into messages.

Every function here only writes queue rows, inside the caller's transaction; the worker
sends them. Staff get the kinds they chose, at their address, when on duty (for alerts) and
outside their quiet hours; the area destinations (``KIOSK_NOTIFY_AREA``) get every host
notification.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.errors import InvalidInput
from kiosk.events import todays_events
from kiosk.notify import queue
from kiosk.notify.addresses import parse_destinations
from kiosk.notify.messages import Text, Writer
from kiosk.notify.staff_choices import on_duty, reachable_staff
from kiosk.settings import Settings
from kiosk.timeutil import from_db, to_db

log = logging.getLogger(__name__)

REGULAR_VISITS = 4  # visits in the eight weeks before to count as a regular
MISSED_AFTER = timedelta(weeks=4)


@dataclass(frozen=True)
class NotifyConfig:
    """The notification settings in the form the domain uses."""

    email_on: bool
    area: list[tuple[str, str]]
    dashboard_url: str
    language: str
    tz: ZoneInfo
    reminder_minutes: int
    digest_time: str
    domain: str
    host_title: str = "heimopäällikkö"

    @classmethod
    def from_settings(cls, settings: Settings) -> NotifyConfig:
        """Read ``KIOSK_SMTP_URL``, ``KIOSK_MAIL_FROM``, ``KIOSK_NOTIFY_AREA`` and the rest.

        A malformed area destination is left out (and logged by the worker); it must not
        stop alerts reaching the staff.
        """
        area = [d for raw in settings.notify_area for d in _safe_destinations(raw)]
        sender = settings.mail_from
        dashboard = settings.dashboard_url.strip()
        if not dashboard:
            dashboard = settings.server_url.rstrip("/") + "/staff/"
        return cls(
            email_on=bool(settings.smtp_url) and bool(sender),
            area=area,
            dashboard_url=dashboard,
            language=settings.default_language,
            tz=settings.tz,
            reminder_minutes=settings.notify_reminder_minutes,
            digest_time=_clock_text(settings.notify_digest_time, "07:30"),
            domain=sender.rpartition("@")[2] or urlsplit(dashboard).hostname or "localhost",
            host_title=settings.host_title,
        )

    def writer(self) -> Writer:
        """The message writer in the kiosk's language."""
        return Writer(self.language, self.tz, self.host_title)


def _safe_destinations(raw: str) -> list[tuple[str, str]]:
    try:
        return parse_destinations([raw])
    except InvalidInput as exc:
        log.error("KIOSK_NOTIFY_AREA: %s; that destination is left out", exc)
        return []


def _clock_text(text: str, default: str) -> str:
    try:
        hours, minutes = text.strip().split(":")
        return f"{int(hours):02d}:{int(minutes):02d}"
    except ValueError:
        log.error("a time looks like 07:30, not %r; using %s", text, default)
        return default


@dataclass
class Delivery:
    """What was queued for one event, and whether a host on duty will hear of it."""

    queued: int = 0
    to_on_duty: int = 0

    @property
    def host_coming(self) -> bool:
        """True when a host on duty (outside quiet hours) was sent the message."""
        return self.to_on_duty > 0


def queue_safely(db: sqlite_utils.Database, action: Callable[[], Delivery]) -> Delivery:
    """Run ``action`` (one of the functions below) so that a fault in it never costs the
    alert or the guest it is about: its own rows are undone, the fault is logged, and the
    caller's transaction goes on. The door then promises nothing, which stays true."""
    db.execute("SAVEPOINT notify")
    try:
        delivery = action()
    except Exception:
        db.execute("ROLLBACK TO notify")
        db.execute("RELEASE notify")
        log.exception("host notifications could not be queued")
        return Delivery()
    db.execute("RELEASE notify")
    return delivery


def _queue(
    db: sqlite_utils.Database,
    config: NotifyConfig,
    now: datetime,
    *,
    kind: str,
    text: Text,
    key: str,
    staff: list[dict[str, Any]],
    alert_id: int | None = None,
    area: bool = True,
) -> Delivery:
    delivery = Delivery()
    targets: list[tuple[str, str, dict[str, Any] | None]] = []
    if config.email_on:
        targets += [("email", person["email"], person) for person in staff]
    if area:
        targets += [(channel, dest, None) for channel, dest in config.area]
    seen: set[tuple[str, str]] = set()
    for channel, destination, person in targets:
        if channel == "email" and not config.email_on:
            continue
        if (channel, destination.lower()) in seen:
            continue
        seen.add((channel, destination.lower()))
        row_id = queue.enqueue(
            db,
            queue.Outgoing(
                kind=kind,
                channel=channel,
                destination=destination,
                subject=text.subject,
                body=text.body,
                dedupe_key=f"{key}:{channel}:{destination.lower()}",
                link=config.dashboard_url,
                staff_user_id=person["id"] if person else None,
                alert_id=alert_id,
            ),
            now,
            config.domain,
        )
        if row_id is None:
            continue
        delivery.queued += 1
        if person is not None and on_duty(person, now):
            delivery.to_on_duty += 1
    return delivery


def _alert(db: sqlite_utils.Database, alert_id: int) -> dict[str, Any]:
    rows = list(
        db.query(
            "SELECT a.*, COALESCE(m.first_name, g.first_name) AS first_name"
            " FROM host_alerts a LEFT JOIN visits v ON v.id = a.visit_id"
            " LEFT JOIN members m ON m.id = v.member_id LEFT JOIN guests g ON g.id = v.guest_id"
            " WHERE a.id = ?",
            [alert_id],
        )
    )
    if not rows:
        raise LookupError(f"no host alert {alert_id}")
    return rows[0]


def _alert_text(config: NotifyConfig, alert: dict[str, Any]) -> Text:
    writer = config.writer()
    at = from_db(alert["created_at"])
    name = alert["first_name"] or "?"
    if alert["kind"] == "low_mood":
        return writer.low_mood(name, at)
    topics = json.loads(alert["topics"] or "[]")
    return writer.request(name, bool(alert["wants_chat"]), topics, at)


def alert_raised(
    db: sqlite_utils.Database, alert_id: int, now: datetime, config: NotifyConfig
) -> Delivery:
    """Queue the messages for a new host alert (a request or a consented low mood)."""
    alert = _alert(db, alert_id)
    kind = "low_mood" if alert["kind"] == "low_mood" else "request"
    return _queue(
        db,
        config,
        now,
        kind=kind,
        text=_alert_text(config, alert),
        # With the alert's time: an id SQLite hands out again is never a duplicate.
        key=f"alert:{alert_id}:{alert['created_at']}",
        staff=reachable_staff(db, kind, now, config.tz),
        alert_id=alert_id,
    )


def host_told(db: sqlite_utils.Database, alert_id: int, now: datetime) -> bool:
    """Whether a message about the alert went, or is going, to a staff member on duty now."""
    rows = db.conn.execute(
        "SELECT s.on_duty_until FROM notifications n JOIN staff_users s ON s.id = n.staff_user_id"
        " WHERE n.alert_id = ? AND n.status IN ('pending', 'sending', 'sent')",
        (alert_id,),
    )
    return any(on_duty({"on_duty_until": until}, now) for (until,) in rows)


def guest_arrived(
    db: sqlite_utils.Database,
    host: dict[str, Any] | None,
    first_name: str,
    visit_id: int,
    now: datetime,
    config: NotifyConfig,
) -> Delivery:
    """Tell the staff member the guest named, and the area, that the guest is here."""
    staff = []
    if host is not None:
        staff = [p for p in reachable_staff(db, "guest", now, config.tz) if p["id"] == host["id"]]
    return _queue(
        db,
        config,
        now,
        kind="guest",
        text=config.writer().guest(first_name, now),
        key=f"guest:{visit_id}",
        staff=staff,
    )


def reminders_due(
    db: sqlite_utils.Database, now: datetime, config: NotifyConfig
) -> list[dict[str, Any]]:
    """Unhandled alerts older than the reminder time that have had no reminder yet."""
    cutoff = now - timedelta(minutes=config.reminder_minutes)
    return list(
        db.query(
            # Only while the person is still in: "is still waiting" must be true. A request
            # of someone who has left stays on the dashboard's open list instead.
            "SELECT a.id FROM host_alerts a JOIN visits v ON v.id = a.visit_id"
            " WHERE a.handled_at IS NULL AND a.reminded_at IS NULL AND a.created_at <= ?"
            " AND v.checked_out_at IS NULL ORDER BY a.created_at",
            [to_db(cutoff)],
        )
    )


def queue_reminders(db: sqlite_utils.Database, now: datetime, config: NotifyConfig) -> int:
    """Queue one reminder for each alert still unhandled after N minutes; return how many."""
    count = 0
    writer = config.writer()
    for row in reminders_due(db, now, config):
        alert = _alert(db, row["id"])
        db.execute("UPDATE host_alerts SET reminded_at = ? WHERE id = ?", [to_db(now), row["id"]])
        at = from_db(alert["created_at"])
        minutes = max(1, int((now - at).total_seconds() // 60))
        delivery = _queue(
            db,
            config,
            now,
            kind="reminder",
            text=writer.reminder(alert["first_name"] or "?", at, minutes),
            key=f"reminder:{row['id']}:{alert['created_at']}",
            staff=reachable_staff(db, "reminder", now, config.tz),
            alert_id=row["id"],
        )
        count += delivery.queued
    return count


def alert_handled(db: sqlite_utils.Database, alert_id: int, now: datetime) -> int:
    """An alert was handled: its reminders that have not gone out are cancelled."""
    return queue.cancel_for_alert(db, alert_id, now, "reminder")


def _digest_text(db: sqlite_utils.Database, now: datetime, config: NotifyConfig) -> Text:
    open_requests = [
        (row["first_name"] or "?", from_db(row["created_at"]))
        for row in db.query(
            "SELECT a.created_at, COALESCE(m.first_name, g.first_name) AS first_name"
            " FROM host_alerts a LEFT JOIN visits v ON v.id = a.visit_id"
            " LEFT JOIN members m ON m.id = v.member_id LEFT JOIN guests g ON g.id = v.guest_id"
            " WHERE a.handled_at IS NULL ORDER BY a.created_at"
        )
    ]
    missed = [
        row["first_name"]
        for row in db.query(
            "SELECT m.first_name FROM members m JOIN visits v ON v.member_id = m.id"
            " WHERE m.active = 1 AND m.forgotten_at IS NULL GROUP BY m.id"
            " HAVING max(v.checked_in_at) < ?"
            " AND sum(v.checked_in_at >= ?) >= ? ORDER BY m.first_name",
            [
                to_db(now - MISSED_AFTER),
                to_db(now - MISSED_AFTER - timedelta(weeks=8)),
                REGULAR_VISITS,
            ],
        )
    ]
    events = [
        (event["title"], from_db(event["starts_at"]))
        for event in todays_events(db, now, config.tz, include_past=True)
    ]
    return config.writer().digest(now, open_requests, missed, events)


def _digest_recipients(
    db: sqlite_utils.Database, now: datetime, config: NotifyConfig
) -> list[dict[str, Any]]:
    local_now = now.astimezone(config.tz)
    if not config.email_on or local_now.strftime("%H:%M") < config.digest_time:
        return []
    day = local_now.date().isoformat()
    return [
        person
        for person in reachable_staff(db, "digest", now, config.tz)
        if not list(
            db.query(
                "SELECT 1 FROM notifications WHERE dedupe_key = ?",
                [f"digest:{day}:email:{person['email'].lower()}"],
            )
        )
    ]


def digest_due(db: sqlite_utils.Database, now: datetime, config: NotifyConfig) -> bool:
    """Whether someone who wants today's digest has not been sent it yet (reads only)."""
    return bool(_digest_recipients(db, now, config))


def queue_digests(db: sqlite_utils.Database, now: datetime, config: NotifyConfig) -> int:
    """After the digest time each local day, queue the digest for those who want it, once."""
    wanted = _digest_recipients(db, now, config)
    if not wanted:
        return 0
    day = now.astimezone(config.tz).date().isoformat()
    return _queue(
        db,
        config,
        now,
        kind="digest",
        text=_digest_text(db, now, config),
        key=f"digest:{day}",
        staff=wanted,
        area=False,
    ).queued
