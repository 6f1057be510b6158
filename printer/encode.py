"""A 1-bit image as ESC/POS raster commands (``GS v 0``), small enough for a slow serial line.

A badge is mostly white. Sending every row at full width would be about 35 KB for an 80 mm
badge, over two seconds at 115200 baud, so the image is cut into bands: blank rows become a
paper feed (``ESC J``), and each inked band is cropped to the same margin on both sides and
printed centred (``ESC a 1``, which the ESC/POS references state applies to raster images).
Bands are at most 255 rows high, which every printer's receive buffer takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

ESC = b"\x1b"
GS = b"\x1d"
INIT = ESC + b"@"
CENTER = ESC + b"a\x01"
LEFT = ESC + b"a\x00"
MAX_BAND_ROWS = 255
CUT = GS + b"V\x00"  # full cut; printers with only a partial cutter cut partially
END_FEED_DOTS = 96  # moves the last printed row past the tear bar or cutter (12 mm at 203 dpi)


@dataclass(frozen=True)
class EncodedImage:
    """The bytes for one image, with figures the benchmark reports."""

    data: bytes
    bands: int
    width: int
    height: int


def _feed(dots: int) -> bytes:
    out = bytearray()
    while dots > 0:
        step = min(255, dots)
        out += ESC + b"J" + bytes((step,))
        dots -= step
    return bytes(out)


def _raster(rows: list[bytes], margin: int) -> bytes:
    row_bytes = len(rows[0]) - 2 * margin
    header = GS + b"v0\x00" + row_bytes.to_bytes(2, "little") + len(rows).to_bytes(2, "little")
    end = len(rows[0]) - margin
    return header + b"".join(row[margin:end] for row in rows)


def _margin(row: bytes) -> int:
    """How many whole blank bytes the row has on its emptier side."""
    return min(len(row) - len(row.lstrip(b"\0")), len(row) - len(row.rstrip(b"\0")))


def encode_image(image: Image.Image, *, cut: bool = True, initialize: bool = True) -> EncodedImage:
    """Encode ``image`` (any mode; converted to 1-bit) as ESC/POS bytes ending with a cut."""
    if image.mode != "1":
        image = image.convert("1")
    if image.width % 8:
        padded = Image.new("1", ((image.width + 7) // 8 * 8, image.height), 1)
        padded.paste(image, (0, 0))
        image = padded
    # In mode "1" a set bit is white; ESC/POS wants a set bit to print a dot, so the bits are
    # packed inverted ("1;I"). (ImageChops.invert is no help: on mode "1" it yields 254.)
    data = image.tobytes("raw", "1;I")
    row_bytes = image.width // 8
    blank = bytes(row_bytes)
    rows = [data[i : i + row_bytes] for i in range(0, len(data), row_bytes)]

    out = bytearray(INIT if initialize else b"")
    out += CENTER
    bands = 0
    index = 0
    while index < len(rows):
        start = index
        if rows[index] == blank:
            while index < len(rows) and rows[index] == blank:
                index += 1
            out += _feed(index - start)
            continue
        while index < len(rows) and rows[index] != blank and index - start < MAX_BAND_ROWS:
            index += 1
        band = rows[start:index]
        out += _raster(band, min(_margin(row) for row in band))
        bands += 1
    out += LEFT
    out += _feed(END_FEED_DOTS)
    if cut:
        out += CUT
    return EncodedImage(bytes(out), bands, image.width, image.height)
