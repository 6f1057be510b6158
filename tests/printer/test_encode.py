"""ESC/POS encoding, checked by decoding the bytes back into an image (independent of emupos)."""

from __future__ import annotations

from PIL import Image, ImageChops

from printer.badge import render_badge, sample_badge_content
from printer.encode import encode_image


def _decode(data: bytes, width: int) -> Image.Image:
    """A tiny ESC/POS interpreter for the commands the encoder may use."""
    rows: list[bytes] = []
    center = False
    i = 0
    row_bytes = width // 8
    while i < len(data):
        if data[i : i + 2] == b"\x1b@":
            i += 2
        elif data[i : i + 2] == b"\x1ba":
            center = data[i + 2] == 1
            i += 3
        elif data[i : i + 2] == b"\x1bJ":
            rows += [bytes(row_bytes)] * data[i + 2]
            i += 3
        elif data[i : i + 4] == b"\x1dv0\x00":
            x = int.from_bytes(data[i + 4 : i + 6], "little")
            y = int.from_bytes(data[i + 6 : i + 8], "little")
            assert y <= 255 and center
            pad = (row_bytes - x) // 2
            body = data[i + 8 : i + 8 + x * y]
            rows += [
                bytes(pad) + body[r * x : (r + 1) * x] + bytes(row_bytes - x - pad)
                for r in range(y)
            ]
            i += 8 + x * y
        elif data[i : i + 3] == b"\x1dV\x00":
            i += 3
        else:
            raise AssertionError(f"unexpected byte {data[i]:#x} at {i}")
    return Image.frombytes("1", (width, len(rows)), b"".join(rows), "raw", "1;I")


def test_encoded_badge_decodes_to_the_same_image():
    for width in (58, 80):
        image = render_badge(sample_badge_content("to 26.11.2026"), width)
        encoded = encode_image(image)
        decoded = _decode(encoded.data, image.width)
        top = decoded.crop((0, 0, image.width, image.height))
        assert ImageChops.difference(top.convert("L"), image.convert("L")).getbbox() is None
        assert encoded.data.endswith(b"\x1dV\x00")


def test_white_space_costs_no_raster_bytes():
    image = Image.new("1", (576, 800), 1)
    image.paste(0, (280, 390, 296, 410))  # a small black square in the middle
    encoded = encode_image(image, cut=False)
    assert encoded.bands == 1
    assert len(encoded.data) < 200
    assert not encoded.data.endswith(b"\x1dV\x00")
