"""Badges and event name tags, drawn with Pillow as 1-bit images for 58 mm and 80 mm paper.

The layout never knows the transport: it returns a ``PIL.Image`` in mode "1" exactly as wide as
the paper (384 or 576 dots), and a transport prints it as a raster image.

A badge's content travels in a print job's payload as JSON, so that a job can be drawn again
later (a reprint, a retry after the paper ran out). :class:`BadgeContent` defines the keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageOps

from printer.errors import RenderError
from printer.qr import qr_image
from printer.text import TextBlock, fit, line_metrics, text_width

PAPER_WIDTHS = {58: 384, 80: 576}
"""Printable width in dots (203 dpi) for each paper width in millimetres."""

LABELS: dict[str, dict[str, str]] = {
    # "host" labels the person a guest came to see (the sign-in form's "Who are you
    # visiting?"), who is not necessarily the space's own host.
    "fi": {"guest": "VIERAS", "member": "JÄSEN", "host": "Tapaa", "ask_me": "Kysy minulta"},
    "sv": {"guest": "GÄST", "member": "MEDLEM", "host": "Träffar", "ask_me": "Fråga mig om"},
    "en": {"guest": "GUEST", "member": "MEMBER", "host": "Visiting", "ask_me": "Ask me about"},
}


@dataclass(frozen=True)
class BadgeContent:
    """What a badge says. The payload keys of a badge job are these field names.

    - ``first_name`` (required): printed large.
    - ``name``: the full name, printed under the first name when it says more.
    - ``company``: the company or organisation.
    - ``role``: ``"guest"`` or ``"member"``; picks the default title. Default ``"guest"``.
    - ``title``: the banner; default "VIERAS" for a guest, "JÄSEN" for a member; an event's
      title on an event name tag.
    - ``date_text``: the local date, already formatted (``badge_date_text`` makes it).
    - ``host``: the host's name, for a guest.
    - ``token``: printable ASCII put in the QR code (check-out or identity token); no QR if empty.
    - ``ask_me``: the topics after "Kysy minulta:", from the member's interests.
    - ``logo``: path of an image printed at the top.
    - ``language``: ``fi``, ``sv`` or ``en`` for the fixed labels. Default ``fi``.
    """

    first_name: str
    name: str = ""
    company: str = ""
    role: str = "guest"
    title: str = ""
    date_text: str = ""
    host: str = ""
    token: str = ""
    ask_me: str = ""
    logo: str = ""
    language: str = "fi"

    def __post_init__(self) -> None:
        if not isinstance(self.first_name, str) or not self.first_name.strip():
            raise RenderError("a badge needs a first_name")
        for item in fields(self):
            if not isinstance(getattr(self, item.name), str):
                raise RenderError(f"badge field {item.name!r} must be text")
        if self.role not in {"guest", "member"}:
            raise RenderError(f"badge role must be guest or member, not {self.role!r}")
        if self.language not in LABELS:
            raise RenderError(f"badge language must be one of {sorted(LABELS)}")
        if self.token and not (self.token.isascii() and self.token.isprintable()):
            raise RenderError("a badge token must be printable ASCII")

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> BadgeContent:
        """Build the content from a job payload; unknown keys are an error (they are typos)."""
        known = {item.name for item in fields(cls)}
        unknown = set(payload) - known
        if unknown:
            raise RenderError(f"unknown badge payload keys: {', '.join(sorted(unknown))}")
        values = {key: ("" if value is None else value) for key, value in payload.items()}
        if "first_name" not in values:
            raise RenderError("a badge needs a first_name")
        return cls(**values)

    def to_payload(self) -> dict[str, str]:
        """The payload for a print job, leaving out empty fields."""
        return {key: value for key, value in asdict(self).items() if value}

    @property
    def label(self) -> dict[str, str]:
        """The fixed labels in the badge's language."""
        return LABELS[self.language]

    @property
    def banner(self) -> str:
        """The title printed in the banner."""
        return self.title or self.label[self.role]


def paper_dots(width: int) -> int:
    """Accept a paper width in mm (58, 80) or dots (384, 576) and return dots."""
    if width in PAPER_WIDTHS:
        return PAPER_WIDTHS[width]
    if width in PAPER_WIDTHS.values():
        return width
    raise RenderError(f"paper width must be 58 or 80 (mm), or 384 or 576 (dots), not {width}")


class _Canvas:
    """A tall white page drawn from the top down, cropped to what was drawn."""

    def __init__(self, width: int, height: int = 2400) -> None:
        self.width = width
        self.margin = max(8, width // 32)
        self.inner = width - 2 * self.margin
        self.image = Image.new("1", (width, height), 1)
        self.draw = ImageDraw.Draw(self.image)
        self.draw.fontmode = "1"  # no anti-aliasing: a thermal dot is on or off
        self.y = self.margin

    def gap(self, dots: int) -> None:
        self.y += dots

    def text(self, block: TextBlock, align: str = "center") -> None:
        self.y = block.draw(self.draw, self.y, self.margin, self.inner, align)

    def title_bar(self, text: str, size: int) -> None:
        """White text on a black bar as wide as the text, centred."""
        block = fit(
            text, self.inner - 2 * size, max_size=size, min_size=max(12, size // 2), bold=True
        )
        pad = max(4, block.size // 4)
        widest = max(text_width(line, block.size, True) for line in block.lines)
        bar_width = min(self.inner, widest + 4 * pad)
        left = (self.width - bar_width) // 2
        _, descent = line_metrics(block.size, True)
        # The font's descent is mostly empty for capitals, so the bar sheds half of it.
        bottom = self.y + block.height + 2 * pad - descent // 2
        self.draw.rectangle((left, self.y, left + bar_width - 1, bottom), fill=0)
        block.draw(self.draw, self.y + pad, self.margin, self.inner, "center", fill=1)
        self.y = bottom + 1

    def rule(self) -> None:
        self.draw.line((self.margin, self.y, self.width - self.margin, self.y), fill=0, width=2)
        self.y += 2

    def paste(self, image: Image.Image, left: int | None = None) -> None:
        x = (self.width - image.width) // 2 if left is None else left
        self.image.paste(image, (x, self.y))
        self.y += image.height

    def finish(self) -> Image.Image:
        return self.image.crop((0, 0, self.width, self.y + self.margin))


def load_logo(path: str | Path, max_width: int, max_height: int) -> Image.Image:
    """A logo file as a dithered 1-bit image that fits the box."""
    try:
        with Image.open(path) as source:
            source.load()
            logo = source.convert("RGBA")
    except (OSError, ValueError) as exc:
        raise RenderError(f"cannot read the logo {path}: {exc}") from exc
    white = Image.new("RGBA", logo.size, (255, 255, 255, 255))
    logo = Image.alpha_composite(white, logo).convert("L")
    logo = ImageOps.contain(logo, (max_width, max_height))
    return logo.convert("1")  # Floyd–Steinberg dithering keeps grey areas readable


def _sizes(width: int) -> dict[str, int]:
    # Sizes in dots scale with the paper; the floor keeps small text legible on 58 mm paper.
    return {
        "banner": max(22, width * 5 // 96),
        "first": width * 15 // 96,
        "first_min": max(24, width * 6 // 96),
        "name": max(20, width * 5 // 96),
        "company": max(19, width * 9 // 192),
        "small": max(17, width * 4 // 96),
        "qr": max(130, width * 30 // 100),
    }


def render_badge(content: BadgeContent, width: int = 80) -> Image.Image:
    """Draw a guest or member badge (or an event name tag) for paper ``width`` (mm or dots)."""
    dots = paper_dots(width)
    size = _sizes(dots)
    page = _Canvas(dots)
    if content.logo:
        page.paste(load_logo(content.logo, page.inner * 2 // 3, dots // 6))
        page.gap(page.margin // 2)
    page.title_bar(content.banner, size["banner"])
    page.gap(page.margin // 2)
    first = fit(
        content.first_name,
        page.inner,
        max_size=size["first"],
        min_size=size["first_min"],
        bold=True,
        max_lines=2,
    )
    page.text(first)
    full = content.name.strip()
    if full and " ".join(full.split()) != " ".join(content.first_name.split()):
        page.text(fit(full, page.inner, max_size=size["name"], min_size=size["small"], max_lines=2))
    if content.company:
        page.text(
            fit(
                content.company,
                page.inner,
                max_size=size["company"],
                min_size=size["small"],
                max_lines=2,
            )
        )
    if content.ask_me:
        ask = f"{content.label['ask_me']}: {content.ask_me}"
        page.gap(page.margin // 3)
        page.text(fit(ask, page.inner, max_size=size["small"], min_size=size["small"], max_lines=2))
    page.gap(page.margin // 2)
    page.rule()
    page.gap(page.margin // 2)
    _footer(page, content, size)
    return page.finish()


def _footer(page: _Canvas, content: BadgeContent, size: dict[str, int]) -> None:
    """The QR code on the right, the host and the date beside it on the left."""
    lines = []
    if content.host:
        lines.append(f"{content.label['host']}: {content.host}")
    if content.date_text:
        lines.append(content.date_text)
    qr = qr_image(content.token, size["qr"]) if content.token else None
    text_width = page.inner - (qr.width + page.margin if qr else 0)
    blocks = [
        fit(line, text_width, max_size=size["company"], min_size=size["small"], max_lines=3)
        for line in lines
    ]
    top = page.y
    if qr is not None:
        page.image.paste(qr, (page.width - page.margin - qr.width, top))
    y = top
    for block in blocks:
        y = block.draw(page.draw, y, page.margin, text_width, align="left")
    page.y = max(y, top + (qr.height if qr else 0))


def badge_date_text(moment: Any, language: str = "fi") -> str:
    """The local date as printed on a badge, e.g. ``to 26.11.2026`` (give a local datetime)."""
    weekdays = {
        "fi": ["ma", "ti", "ke", "to", "pe", "la", "su"],
        "sv": ["mån", "tis", "ons", "tor", "fre", "lör", "sön"],
        "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    }[language if language in LABELS else "fi"]
    return f"{weekdays[moment.weekday()]} {moment.day}.{moment.month}.{moment.year}"


def sample_badge_content(date_text: str, detail: str = "") -> BadgeContent:
    """A badge that exercises every script and the QR code: what ``kiosk printer test`` prints."""
    return BadgeContent(
        first_name="Äijälä-Öörni",
        name="Äijälä-Öörni Åsa-Ženja 王芳",
        company="Юлия · محمد · Áile Ánde · 김민준",
        role="guest",
        title="TESTI",
        date_text=date_text,
        host=detail or "Yritystankkaamo",
        token="TANKKAAMO-TEST",  # noqa: S106 - a QR text, not a secret
        ask_me="rahoitus, markkinointi, digi",
    )
