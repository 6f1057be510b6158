"""Choosing how the door greets a person: by time of day, a first visit or a long break."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class Greeting(StrEnum):
    """The kinds of greeting; the words are in the (translated) templates."""

    FIRST_VISIT = "first_visit"
    LONG_BREAK = "long_break"
    MORNING = "morning"
    DAY = "day"
    EVENING = "evening"


def choose_greeting(
    at: datetime, tz: ZoneInfo, *, first_visit: bool = False, long_break: bool = False
) -> Greeting:
    """Pick the greeting for a check-in at ``at`` (aware), in the local zone ``tz``."""
    if first_visit:
        return Greeting.FIRST_VISIT
    if long_break:
        return Greeting.LONG_BREAK
    hour = at.astimezone(tz).hour
    if hour < 5:  # a night owl gets a plain hello, not "good evening" at half past three
        return Greeting.DAY
    if 5 <= hour < 10:
        return Greeting.MORNING
    if 10 <= hour < 17:
        return Greeting.DAY
    return Greeting.EVENING
