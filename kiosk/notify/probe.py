"""``kiosk notify test``: one message to each destination now, with a plain answer."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from kiosk.errors import KioskError
from kiosk.notify import queue
from kiosk.notify.addresses import parse_destinations
from kiosk.notify.channels import DeliveryError
from kiosk.notify.dispatch import NotifyConfig
from kiosk.notify.worker import Sender, record_outcome, senders_from_settings
from kiosk.settings import Settings
from kiosk.transactions import write_transaction


class NothingToTest(KioskError, ValueError):
    """No destination is configured and none was given."""


@dataclass(frozen=True)
class ProbeResult:
    """One destination and why it failed (None: the server accepted the message)."""

    channel: str
    destination: str
    error: str | None


def send_test(
    db: sqlite_utils.Database,
    settings: Settings,
    now: datetime,
    to: str | None = None,
    senders: Mapping[str, Sender] | None = None,
) -> list[ProbeResult]:
    """Send a test message to ``to`` or to every area destination, at once, without retries.

    Raises InvalidInput for a malformed ``to`` and NothingToTest when there is nowhere to send.
    """
    config = NotifyConfig.from_settings(settings)
    targets = parse_destinations([to]) if to else config.area
    if not targets:
        raise NothingToTest("no destination: set KIOSK_NOTIFY_AREA, or give one with --to ADDRESS")
    senders = senders or senders_from_settings(settings)
    text = config.writer().test(now)
    results = []
    run = secrets.token_hex(4)
    for channel, destination in targets:
        with write_transaction(db):
            row_id = queue.enqueue(
                db,
                queue.Outgoing(
                    kind="test",
                    channel=channel,
                    destination=destination,
                    subject=text.subject,
                    body=text.body,
                    dedupe_key=f"test:{now.isoformat()}:{run}:{channel}:{destination}",
                    link=config.dashboard_url,
                ),
                now,
                config.domain,
            )
            assert row_id is not None  # noqa: S101 - the key is new each run
            queue.claim(db, row_id, now)
        row = dict(queue.get(db, row_id))
        row["attempts"] = 0
        try:
            senders[channel].send(row, now)
        except DeliveryError as exc:
            with write_transaction(db):
                queue.mark_failed(db, row_id, now, str(exc))
                record_outcome(db, row, now, "notify.failed", error=str(exc))
            results.append(ProbeResult(channel, destination, str(exc)))
        else:
            with write_transaction(db):
                queue.mark_sent(db, row_id, now)
                record_outcome(db, row, now, "notify.sent")
            results.append(ProbeResult(channel, destination, None))
        finally:
            senders[channel].close()
    return results
