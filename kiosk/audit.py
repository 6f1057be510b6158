"""The audit log of staff actions: exports, erasures, card changes, logins."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from kiosk.timeutil import to_db


def record(
    db: sqlite_utils.Database,
    now: datetime,
    actor: str,
    action: str,
    target: str | None = None,
    **details: Any,
) -> None:
    """Append one entry: who did what to what, and when."""
    db["audit_log"].insert(
        {
            "at": to_db(now),
            "actor": actor,
            "action": action,
            "target": target,
            "details": json.dumps(details, ensure_ascii=False, default=str) if details else None,
        }
    )
