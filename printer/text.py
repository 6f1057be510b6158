"""Text on a badge: bundled fonts, a fallback font per character, shrinking and wrapping.

Names come in every script, and a thermal printer's code pages cover few of them, so all text is
drawn into the image with the fonts in ``printer/fonts``. For each character the first font of
the chain that has a glyph draws it: DejaVu Sans, then WenQuanYi Micro Hei (CJK, Hangul), then
Droid Sans Fallback (rare ideographs). Spaces and
combining marks stay with the run they are in, so that accents and Arabic shaping are not split.

Arabic needs shaping (joined letter forms, right to left). Pillow does it when it is built with
libraqm, which the manylinux wheels include. Without raqm the text is reshaped with
``arabic_reshaper`` and ``python-bidi`` when those are installed, and otherwise drawn unshaped
(letters readable one by one, but not joined), with one warning in the log.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageDraw, ImageFont, features

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
CJK = FONT_DIR / "WenQuanYiMicroHei-CJK.ttf"
CJK_RARE = FONT_DIR / "DroidSansFallback-ExtA.ttf"

HAS_RAQM: bool = bool(features.check("raqm"))
_LAYOUT = ImageFont.Layout.RAQM if HAS_RAQM else ImageFont.Layout.BASIC
_STICKY_CATEGORIES = {"Mn", "Me", "Mc", "Cf", "Zs"}
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_warned_no_shaping = False


def font_chain(bold: bool = False) -> tuple[Path, ...]:
    """The fonts tried in order for each character."""
    return (BOLD if bold else REGULAR, CJK, CJK_RARE)


@lru_cache(maxsize=8)
def _coverage(path: Path) -> frozenset[int]:
    # fontTools reads the cmap once per process (about 0.1 s for the CJK font); Pillow itself
    # cannot say whether a font has a glyph.
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=512)
def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The font at ``path`` in pixel ``size``, cached."""
    return ImageFont.truetype(str(path), size, layout_engine=_LAYOUT)


def has_glyph(character: str, bold: bool = False) -> bool:
    """Whether some bundled font can draw ``character``."""
    return any(ord(character) in _coverage(path) for path in font_chain(bold))


def split_runs(text: str, bold: bool = False) -> list[tuple[Path, str]]:
    """Split ``text`` into runs of characters drawn with the same font."""
    chain = font_chain(bold)
    runs: list[tuple[Path, str]] = []
    for character in text:
        if runs and unicodedata.category(character) in _STICKY_CATEGORIES:
            path = runs[-1][0]
        else:
            code = ord(character)
            # A character no font has falls back to the main font, which draws a visible box.
            path = next((p for p in chain if code in _coverage(p)), chain[0])
        if runs and runs[-1][0] == path:
            runs[-1] = (path, runs[-1][1] + character)
        else:
            runs.append((path, character))
    return runs


def _shape_without_raqm(text: str) -> str:
    global _warned_no_shaping
    if HAS_RAQM or not _RTL.search(text):
        return text
    try:
        import arabic_reshaper  # type: ignore[import-not-found]
        from bidi.algorithm import get_display  # type: ignore[import-not-found]
    except ImportError:
        if not _warned_no_shaping:
            _warned_no_shaping = True
            log.warning(
                "Pillow has no libraqm and arabic_reshaper/python-bidi are missing: "
                "right-to-left names print unshaped"
            )
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


def text_width(text: str, size: int, bold: bool = False) -> int:
    """The width in dots of ``text`` drawn at ``size``."""
    total = 0.0
    for path, run in split_runs(text, bold):
        total += load_font(path, size).getlength(_shape_without_raqm(run))
    return int(round(total))


def line_metrics(size: int, bold: bool = False) -> tuple[int, int]:
    """The ascent and descent in dots of a line at ``size`` (from the main font)."""
    ascent, descent = load_font(font_chain(bold)[0], size).getmetrics()
    return ascent, descent


def draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    size: int,
    bold: bool = False,
    fill: int = 0,
) -> None:
    """Draw ``text`` with its left edge at ``xy[0]`` and its baseline at ``xy[1]``."""
    x = float(xy[0])
    for path, run in split_runs(text, bold):
        font = load_font(path, size)
        shaped = _shape_without_raqm(run)
        draw.text((x, xy[1]), shaped, font=font, fill=fill, anchor="ls")
        x += font.getlength(shaped)


@dataclass(frozen=True)
class TextBlock:
    """Lines of text fitted to a width, all at one size."""

    lines: tuple[str, ...]
    size: int
    bold: bool

    @property
    def line_height(self) -> int:
        """The distance in dots between two baselines."""
        ascent, descent = line_metrics(self.size, self.bold)
        return ascent + descent

    @property
    def height(self) -> int:
        """The height in dots of the whole block."""
        return self.line_height * len(self.lines)

    def draw(
        self,
        draw: ImageDraw.ImageDraw,
        top: int,
        left: int,
        width: int,
        align: str = "center",
        fill: int = 0,
    ) -> int:
        """Draw the lines from ``top`` inside ``left..left+width``; return the bottom edge."""
        ascent, _ = line_metrics(self.size, self.bold)
        y = top
        for line in self.lines:
            line_width = text_width(line, self.size, self.bold)
            x = left + ((width - line_width) // 2 if align == "center" else 0)
            draw_text(draw, (x, y + ascent), line, self.size, self.bold, fill)
            y += self.line_height
        return y


_CJK_CHAR = re.compile("[\u2e80-\u9fff\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]")


def _break_units(text: str) -> list[str]:
    """Pieces between which a line may break: after spaces and hyphens, and between CJK."""
    units: list[str] = []
    for word in re.findall(r"[^\s-]*-|\S+\s*|\s+", text):
        if _CJK_CHAR.search(word):
            units.extend(
                re.findall(
                    r"[\u2e80-\u9fff\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]\s*"
                    r"|[^\u2e80-\u9fff\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]+",
                    word,
                )
            )
        else:
            units.append(word)
    return units


def wrap(text: str, max_width: int, size: int, bold: bool = False) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width``, at ``size``."""
    lines: list[str] = []
    current = ""
    for unit in _break_units(text):
        candidate = current + unit
        if not current or text_width(candidate.rstrip(), size, bold) <= max_width:
            current = candidate
            continue
        lines.append(current.rstrip())
        current = unit.lstrip()
    if current.strip():
        lines.append(current.rstrip())
    # A single unit wider than the line (a very long word) is cut by characters.
    result: list[str] = []
    for line in lines:
        while text_width(line, size, bold) > max_width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and text_width(line[:cut], size, bold) > max_width:
                cut -= 1
            result.append(line[:cut])
            line = line[cut:]
        result.append(line)
    return result


def _ellipsize(line: str, max_width: int, size: int, bold: bool) -> str:
    if text_width(line, size, bold) <= max_width:
        return line
    while line and text_width(line + "…", size, bold) > max_width:
        line = line[:-1]
    return line.rstrip() + "…"


def fit(
    text: str,
    max_width: int,
    *,
    max_size: int,
    min_size: int,
    bold: bool = False,
    max_lines: int = 2,
    shrink_floor: float = 0.6,
) -> TextBlock:
    """Fit ``text`` into ``max_width``: shrink first, then wrap, then cut with an ellipsis.

    One line is kept while the size stays above ``shrink_floor`` × ``max_size``; below that the
    text wraps into at most ``max_lines`` lines, at the largest size that allows it.
    """
    text = " ".join(text.split())
    floor = max(min_size, int(max_size * shrink_floor))
    step = max(1, max_size // 24)
    for size in range(max_size, floor - 1, -step):
        if text_width(text, size, bold) <= max_width:
            return TextBlock((text,), size, bold)
    for size in range(floor, min_size - 1, -step):
        lines = wrap(text, max_width, size, bold)
        if len(lines) <= max_lines:
            return TextBlock(tuple(lines), size, bold)
    lines = wrap(text, max_width, min_size, bold)
    kept = lines[:max_lines]
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        kept[-1] = _ellipsize(rest, max_width, min_size, bold)
    return TextBlock(tuple(kept), min_size, bold)


def fits(block: TextBlock, max_width: int) -> bool:
    """Whether every line of ``block`` is within ``max_width``."""
    return all(text_width(line, block.size, block.bold) <= max_width for line in block.lines)


def missing_glyphs(texts: Sequence[str]) -> set[str]:
    """The characters in ``texts`` that no bundled font can draw."""
    return {
        ch
        for text in texts
        for ch in text
        if not ch.isspace()
        and unicodedata.category(ch) not in _STICKY_CATEGORIES
        and not has_glyph(ch)
    }
