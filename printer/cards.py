"""Member cards: a QR card as PNG, on thermal paper, and as an A4 PDF sheet of cards."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from printer.badge import load_logo, paper_dots
from printer.errors import RenderError
from printer.qr import qr_image
from printer.text import fit

CARD_MM = (85.6, 54.0)  # ISO/IEC 7810 ID-1, the size of a bank card
PNG_DPI = 300


@dataclass(frozen=True)
class MemberCard:
    """What a member card says; the payload keys of a ``member_card`` job.

    - ``name`` (required) and ``token`` (required, printable ASCII: the card's QR).
    - ``company``, ``member_since`` (text, e.g. "11/2026"), ``title`` (default
      "Yritystankkaamo"), ``subtitle`` (default "JÄSENKORTTI"), ``logo`` (an image path).
    """

    name: str
    token: str
    company: str = ""
    member_since: str = ""
    title: str = "Yritystankkaamo"
    subtitle: str = "JÄSENKORTTI"
    logo: str = ""

    def __post_init__(self) -> None:
        for item in fields(self):
            if not isinstance(getattr(self, item.name), str):
                raise RenderError(f"member card field {item.name!r} must be text")
        if not self.name.strip():
            raise RenderError("a member card needs a name")
        if not self.token or not (self.token.isascii() and self.token.isprintable()):
            raise RenderError("a member card needs a printable ASCII token")

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> MemberCard:
        """Build the card from a job payload; unknown keys are an error."""
        unknown = set(payload) - {item.name for item in fields(cls)}
        if unknown:
            raise RenderError(f"unknown member card payload keys: {', '.join(sorted(unknown))}")
        missing = {"name", "token"} - set(payload)
        if missing:
            raise RenderError(f"a member card needs {' and '.join(sorted(missing))}")
        return cls(**{key: ("" if value is None else value) for key, value in payload.items()})

    def to_payload(self) -> dict[str, str]:
        """The payload for a print job."""
        return {key: value for key, value in asdict(self).items() if value}


def render_card(card: MemberCard, width: int, *, one_bit: bool = True) -> Image.Image:
    """Draw the card ``width`` dots wide, in the card's proportions."""
    height = round(width * CARD_MM[1] / CARD_MM[0])
    mode = "1" if one_bit else "L"
    image = Image.new(mode, (width, height), 255)
    draw = ImageDraw.Draw(image)
    if one_bit:
        draw.fontmode = "1"
    margin = max(8, width // 24)
    draw.rectangle((0, 0, width - 1, height - 1), outline=0, width=max(1, width // 300))
    qr = qr_image(card.token, height - 2 * margin, max_module=max(10, width // 60))
    image.paste(qr.convert(mode), (width - margin - qr.width, (height - qr.height) // 2))
    column = width - 3 * margin - qr.width
    y = margin
    if card.logo:
        logo = load_logo(card.logo, column, height // 5)
        image.paste(logo.convert(mode), (margin, y))
        y += logo.height + margin // 2
    unit = width / 100
    y = fit(
        card.title, column, max_size=int(unit * 5), min_size=int(unit * 3), bold=True, max_lines=1
    ).draw(draw, y, margin, column, align="left")
    y = fit(
        card.subtitle, column, max_size=int(unit * 3.6), min_size=int(unit * 2.6), max_lines=1
    ).draw(draw, y, margin, column, align="left")
    y += margin
    y = fit(
        card.name, column, max_size=int(unit * 7), min_size=int(unit * 3.6), bold=True, max_lines=2
    ).draw(draw, y, margin, column, align="left")
    if card.company:
        y = fit(
            card.company, column, max_size=int(unit * 4.4), min_size=int(unit * 3), max_lines=2
        ).draw(draw, y, margin, column, align="left")
    if card.member_since:
        fit(
            card.member_since,
            column,
            max_size=int(unit * 3.6),
            min_size=int(unit * 2.6),
            max_lines=1,
        ).draw(draw, y + margin // 2, margin, column, align="left")
    return image


def render_card_thermal(card: MemberCard, width: int = 80) -> Image.Image:
    """The card as a 1-bit image for thermal paper ``width`` (mm or dots)."""
    return render_card(card, paper_dots(width))


def card_png(card: MemberCard, path: str | Path | None = None) -> bytes:
    """The card as a 300 dpi PNG (greyscale, for screens and office printers)."""
    width = round(CARD_MM[0] / 25.4 * PNG_DPI)
    image = render_card(card, width, one_bit=False)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(PNG_DPI, PNG_DPI))
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def cards_pdf(cards: Sequence[MemberCard], path: str | Path | None = None) -> bytes:
    """An A4 PDF with up to ten cards a page (two columns), with a cutting outline each."""
    from fpdf import FPDF

    if not cards:
        raise RenderError("a card sheet needs at least one card")
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creator("Tankkaamo kiosk")
    card_w, card_h = CARD_MM
    columns, rows = 2, 5
    left = (210 - columns * card_w - 10) / 2
    top = (297 - rows * card_h - 4 * 2) / 2
    width_px = round(card_w / 25.4 * PNG_DPI)
    for index, card in enumerate(cards):
        slot = index % (columns * rows)
        if slot == 0:
            pdf.add_page()
        x = left + (slot % columns) * (card_w + 10)
        y = top + (slot // columns) * (card_h + 2)
        pdf.image(render_card(card, width_px, one_bit=False), x=x, y=y, w=card_w, h=card_h)
    data = bytes(pdf.output())
    if path is not None:
        Path(path).write_bytes(data)
    return data
