"""Print job kinds: which payload each takes and how it is drawn. No database, no transport.

========================  ==========================================  =======================
kind                      payload                                     drawn by
========================  ==========================================  =======================
``guest_badge``           :class:`~printer.badge.BadgeContent` keys   a badge, role "guest"
``member_badge``          :class:`~printer.badge.BadgeContent` keys   a badge, role "member"
``name_tag``              :class:`~printer.badge.BadgeContent` keys   an event name tag
                          (``title`` = the event's title)
``test``                  :class:`~printer.badge.BadgeContent` keys   the test badge
``member_card``           :class:`~printer.cards.MemberCard` keys     the card on paper
``roll_call``             :class:`~printer.rollcall.RollCall` keys    the fire roll-call list
========================  ==========================================  =======================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PIL import Image

from printer.badge import BadgeContent, render_badge
from printer.cards import MemberCard, render_card_thermal
from printer.errors import RenderError
from printer.rollcall import RollCall, render_roll_call

BADGE_KINDS = {"guest_badge": "guest", "member_badge": "member", "name_tag": None, "test": None}
KINDS = (*BADGE_KINDS, "member_card", "roll_call")


def parse_payload(kind: str, payload: Mapping[str, Any]) -> BadgeContent | MemberCard | RollCall:
    """Check a payload for ``kind`` and return its content object; raise RenderError if wrong."""
    if not isinstance(payload, Mapping):
        raise RenderError("a print job payload must be a JSON object")
    if kind in BADGE_KINDS:
        values = dict(payload)
        role = BADGE_KINDS[kind]
        if role is not None:
            values.setdefault("role", role)
        content = BadgeContent.from_payload(values)
        if kind == "name_tag" and not content.title:
            raise RenderError("an event name tag needs the event's title")
        return content
    if kind == "member_card":
        return MemberCard.from_payload(payload)
    if kind == "roll_call":
        return RollCall.from_payload(payload)
    raise RenderError(f"unknown print job kind {kind!r}; known kinds: {', '.join(KINDS)}")


def render_job(kind: str, payload: Mapping[str, Any], width: int = 80) -> Image.Image:
    """Draw the job as a 1-bit image for paper ``width`` (mm or dots)."""
    content = parse_payload(kind, payload)
    if isinstance(content, BadgeContent):
        return render_badge(content, width)
    if isinstance(content, MemberCard):
        return render_card_thermal(content, width)
    return render_roll_call(content, width)
