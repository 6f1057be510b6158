"""Layout: any script prints, long names shrink then wrap, QR codes scan, widths are exact."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image

from printer import text
from printer.badge import BadgeContent, render_badge, sample_badge_content
from printer.cards import MemberCard, card_png, cards_pdf, render_card_thermal
from printer.errors import RenderError
from printer.jobs import KINDS, render_job
from printer.rollcall import RollCall, render_roll_call

NAMES = [
    "Äijälä-Öörni Åsa-Ženja 王芳",
    "Áilu Niillas Ŋuvttá Čáhppes Đoađđi",  # Northern Sámi
    "Юлия Петрова",
    "محمد الأحمد",
    "山田 太郎",
    "김민준",
    "㐀㐁",  # CJK extension A
]


def _qr_texts(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image.convert("L"))]


@pytest.mark.parametrize("name", NAMES)
def test_every_character_of_these_names_has_a_bundled_glyph(name):
    assert text.missing_glyphs([name]) == set()


def test_each_script_is_drawn_by_the_font_that_has_it():
    runs = text.split_runs("Åsa 王芳 Юлия")
    assert [path.name for path, _ in runs] == [
        "DejaVuSans.ttf",
        "WenQuanYiMicroHei-CJK.ttf",
        "DejaVuSans.ttf",
    ]
    assert "".join(run for _, run in runs) == "Åsa 王芳 Юлия"


@pytest.mark.skipif(not text.HAS_RAQM, reason="Pillow was built without libraqm")
def test_arabic_is_shaped_into_joined_letters():
    word = "محمد"
    joined = text.text_width(word, 40)
    isolated = sum(text.text_width(letter, 40) for letter in word)
    assert joined < isolated


def test_long_name_shrinks_before_it_wraps():
    short = text.fit("Åsa", 500, max_size=80, min_size=20, bold=True)
    longer = text.fit("Åsa-Ženja Äijälä", 500, max_size=80, min_size=20, bold=True)
    assert short.size == 80 and len(short.lines) == 1
    assert longer.size < 80 and len(longer.lines) == 1
    assert text.fits(longer, 500)


def test_very_long_name_wraps_and_then_is_cut():
    name = "Maria-Kristiina Äijälä-Öörni von Hertzen-Lindqvist"
    block = text.fit(name, 300, max_size=80, min_size=24, bold=True, max_lines=2)
    assert len(block.lines) == 2
    assert text.fits(block, 300)
    huge = text.fit(" ".join([name] * 6), 300, max_size=80, min_size=24, max_lines=2)
    assert len(huge.lines) == 2 and huge.lines[-1].endswith("…")
    assert text.fits(huge, 300)


def test_cjk_text_without_spaces_wraps_between_characters():
    lines = text.wrap("王芳" * 12, 200, 40)
    assert len(lines) > 1
    assert all(text.text_width(line, 40) <= 200 for line in lines)


@pytest.mark.parametrize(("width", "dots"), [(58, 384), (80, 576), (384, 384), (576, 576)])
def test_badge_is_one_bit_and_as_wide_as_the_paper(width, dots):
    image = render_badge(sample_badge_content("to 26.11.2026"), width)
    assert image.mode == "1"
    assert image.width == dots
    assert _qr_texts(image) == ["TANKKAAMO-TEST"]


def test_badge_without_token_has_no_qr_and_unknown_width_is_refused():
    content = BadgeContent(first_name="Åsa", title="Aamukahvit")
    assert _qr_texts(render_badge(content, 80)) == []
    with pytest.raises(RenderError):
        render_badge(content, 72)


def test_payload_round_trip_and_validation():
    content = BadgeContent(first_name="Åsa", name="Åsa Öberg", role="member", ask_me="digi")
    assert BadgeContent.from_payload(content.to_payload()) == content
    assert content.banner == "JÄSEN"
    assert BadgeContent(first_name="Åsa", language="sv").banner == "GÄST"
    with pytest.raises(RenderError, match="ASCII"):
        BadgeContent(first_name="Åsa", token="Åsa")
    with pytest.raises(RenderError, match="role"):
        BadgeContent(first_name="Åsa", role="vip")


def test_longer_first_name_is_drawn_smaller_not_clipped():
    short = render_badge(BadgeContent(first_name="Li"), 58)
    long = render_badge(BadgeContent(first_name="Bartholomew-Maximilian Äijälä-Öörni"), 58)
    for image in (short, long):
        # Nothing touches the side edges: the text was fitted, not cut off.
        left_edge = image.crop((0, 0, 2, image.height))
        right_edge = image.crop((image.width - 2, 0, image.width, image.height))
        assert left_edge.convert("L").getextrema() == (255, 255)
        assert right_edge.convert("L").getextrema() == (255, 255)


def test_logo_is_printed_at_the_top(tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), (0, 0, 0)).save(logo)
    plain = render_badge(BadgeContent(first_name="Åsa"), 80)
    with_logo = render_badge(BadgeContent(first_name="Åsa", logo=str(logo)), 80)
    assert with_logo.height > plain.height
    with pytest.raises(RenderError, match="logo"):
        render_badge(BadgeContent(first_name="Åsa", logo=str(tmp_path / "missing.png")), 80)


def test_member_card_png_thermal_and_pdf_sheet():
    card = MemberCard(name="Åsa Öberg 王芳", token="card-token-123", company="Oy Ab")
    png = Image.open(io.BytesIO(card_png(card)))
    assert png.size == (1011, 638)
    assert _qr_texts(png) == ["card-token-123"]
    thermal = render_card_thermal(card, 58)
    assert thermal.width == 384 and _qr_texts(thermal) == ["card-token-123"]
    pdf = cards_pdf([card] * 12)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 2  # ten cards a page


def test_roll_call_grows_with_the_people_on_site():
    people = [{"name": f"Henkilö {n} Äijälä", "checked_in": f"0{n % 10}:15"} for n in range(40)]
    few = render_roll_call(RollCall.from_payload({"generated_text": "10:02", "people": people[:3]}))
    many = render_roll_call(RollCall.from_payload({"generated_text": "10:02", "people": people}))
    assert few.width == many.width == 576
    assert many.height > few.height * 5
    with pytest.raises(RenderError):
        RollCall.from_payload({"generated_text": "x", "people": [{"nimi": "typo"}]})


@pytest.mark.parametrize("kind", KINDS)
def test_every_job_kind_renders(kind):
    payloads = {
        "member_card": {"name": "Åsa", "token": "t-1"},
        "roll_call": {"generated_text": "10:02", "people": [{"name": "Åsa"}]},
        "name_tag": {"first_name": "Åsa", "title": "Aamukahvit"},
    }
    image = render_job(kind, payloads.get(kind, {"first_name": "Åsa", "token": "t-1"}), 80)
    assert image.mode == "1" and image.width == 576
