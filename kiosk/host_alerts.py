"""What the door asks of the hosts, kept and passed on in one transaction.

A consented low mood or a "would like a chat / help with…" request becomes a host alert
(:mod:`kiosk.moods`), and the messages to the hosts (:mod:`kiosk.notify`) are queued in the
same transaction: both are kept, or neither. A fault in queuing never costs the alert, and the
door then promises nothing, which stays true.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from kiosk.moods import open_low_mood_alerts, open_request, record_mood, request_host
from kiosk.notify import dispatch
from kiosk.notify.dispatch import NotifyConfig
from kiosk.notify.queue import cancel_for_alert
from kiosk.transactions import write_transaction


@dataclass(frozen=True)
class AlertRaised:
    """The alert a door answer made (None when it made none), and whether a host on duty (and
    outside quiet hours) was sent it, which is what lets the door promise a visit."""

    alert_id: int | None
    host_coming: bool = False
    repeated: bool = False  # the same request again (a double tap): nothing new was raised


def answer_mood(
    db: sqlite_utils.Database, visit_id: int, mood: int, now: datetime, config: NotifyConfig
) -> AlertRaised:
    """Record the mood; a consented low mood alerts the hosts ("would welcome a word")."""
    with write_transaction(db):
        # A new answer replaces the old: what was queued for an earlier low mood is withdrawn.
        for earlier in open_low_mood_alerts(db, visit_id):
            for kind in ("low_mood", "reminder"):
                cancel_for_alert(db, earlier, now, kind)
        alert_id = record_mood(db, visit_id, mood, now)
        if alert_id is None:
            return AlertRaised(None)
        delivery = dispatch.queue_safely(
            db, lambda: dispatch.alert_raised(db, alert_id, now, config)
        )
    return AlertRaised(alert_id, delivery.host_coming)


def ask_for_a_host(
    db: sqlite_utils.Database,
    visit_id: int,
    now: datetime,
    config: NotifyConfig,
    *,
    wants_chat: bool,
    topics: list[str],
    allowed_topics: Sequence[str],
) -> AlertRaised:
    """A chat or help request from the door; raises InvalidInput for an unknown topic.

    The same request again while the first is open (a double tap) raises nothing new: the
    door gets the first one back, with what its messages promised.
    """
    with write_transaction(db):
        earlier = open_request(db, visit_id, wants_chat=wants_chat, topics=topics)
        if earlier is not None:
            return AlertRaised(earlier, dispatch.host_told(db, earlier, now), repeated=True)
        alert_id = request_host(
            db,
            visit_id,
            now,
            wants_chat=wants_chat,
            topics=topics,
            allowed_topics=list(allowed_topics),
        )
        if alert_id is None:
            return AlertRaised(None)
        delivery = dispatch.queue_safely(
            db, lambda: dispatch.alert_raised(db, alert_id, now, config)
        )
    return AlertRaised(alert_id, delivery.host_coming)
