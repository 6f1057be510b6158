"""The fire roll-call: everyone inside now, with check-in times, on one long strip of paper."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw

from printer.badge import paper_dots
from printer.errors import RenderError
from printer.text import draw_text, fit, line_metrics, text_width

TITLES = {"fi": "NIMENHUUTO", "sv": "UPPROP", "en": "ROLL CALL"}
COUNT = {"fi": "Paikalla {n}", "sv": "På plats {n}", "en": "On site {n}"}
HOST = {"fi": "isäntä", "sv": "värd", "en": "host"}


@dataclass(frozen=True)
class Person:
    """One row: ``name`` (required), ``checked_in`` (local time text, e.g. "09:15"),
    ``company``, ``role`` ("guest" or "member"), ``host`` (for a guest)."""

    name: str
    checked_in: str = ""
    company: str = ""
    role: str = "member"
    host: str = ""


@dataclass(frozen=True)
class RollCall:
    """The payload of a ``roll_call`` job.

    - ``generated_text``: when the list was made, local time text ("to 26.11.2026 10:02").
    - ``people``: a list of objects with the :class:`Person` keys.
    - ``title``: default "NIMENHUUTO"; ``language``: fi, sv or en.
    """

    generated_text: str
    people: tuple[Person, ...] = field(default_factory=tuple)
    title: str = ""
    language: str = "fi"

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> RollCall:
        """Build the roll call from a job payload."""
        unknown = set(payload) - {"generated_text", "people", "title", "language"}
        if unknown:
            raise RenderError(f"unknown roll call payload keys: {', '.join(sorted(unknown))}")
        try:
            people = tuple(Person(**dict(row)) for row in payload.get("people") or [])
        except TypeError as exc:
            raise RenderError(f"a roll call row is malformed: {exc}") from exc
        language = payload.get("language") or "fi"
        if language not in TITLES:
            raise RenderError(f"roll call language must be one of {sorted(TITLES)}")
        return cls(
            str(payload.get("generated_text") or ""),
            people,
            str(payload.get("title") or ""),
            language,
        )

    def to_payload(self) -> dict[str, Any]:
        """The payload for a print job."""
        return {
            "generated_text": self.generated_text,
            "title": self.title,
            "language": self.language,
            "people": [vars(person) for person in self.people],
        }


def render_roll_call(roll: RollCall, width: int = 80) -> Image.Image:
    """Draw the list: a header, then one row per person with a box to tick."""
    dots = paper_dots(width)
    margin = max(8, dots // 32)
    inner = dots - 2 * margin
    big, normal, small = max(28, dots // 14), max(20, dots // 24), max(17, dots // 30)
    row_height = sum(line_metrics(normal, True)) + sum(line_metrics(small)) + 6
    height = margin * 4 + 3 * big + (len(roll.people) + 1) * row_height * 3
    image = Image.new("1", (dots, height), 1)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    y = margin
    title = roll.title or TITLES[roll.language]
    y = fit(title, inner, max_size=big, min_size=normal, bold=True).draw(draw, y, margin, inner)
    header = f"{roll.generated_text} · {COUNT[roll.language].format(n=len(roll.people))}"
    y = fit(header, inner, max_size=normal, min_size=small).draw(draw, y, margin, inner)
    y += margin // 2
    draw.line((margin, y, dots - margin, y), fill=0, width=3)
    y += margin // 2
    box = sum(line_metrics(normal, True)) - 8
    for person in sorted(roll.people, key=lambda p: p.name.casefold()):
        draw.rectangle((margin, y + 4, margin + box, y + 4 + box), outline=0, width=2)
        left = margin + box + margin // 2
        time_width = text_width(person.checked_in, normal) if person.checked_in else 0
        name_width = inner - (left - margin) - time_width - margin // 2
        name = fit(person.name, name_width, max_size=normal, min_size=small, bold=True)
        if person.checked_in:
            ascent, _ = line_metrics(normal)
            draw_text(draw, (dots - margin - time_width, y + ascent), person.checked_in, normal)
        y = name.draw(draw, y, left, name_width, align="left")
        detail = ", ".join(
            part
            for part in (
                person.company,
                f"{HOST[roll.language]}: {person.host}" if person.host else "",
            )
            if part
        )
        if detail:
            y = fit(
                detail, inner - (left - margin), max_size=small, min_size=small, max_lines=2
            ).draw(draw, y, left, inner, align="left")
        y += 6
    return image.crop((0, 0, dots, y + margin))
