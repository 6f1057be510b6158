"""QR codes as crisp 1-bit images: whole dots per module, so that every module prints sharp."""

from __future__ import annotations

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from printer.errors import RenderError


def qr_modules(data: str) -> list[list[bool]]:
    """The module matrix for ``data`` (without quiet zone), error correction M."""
    if not data or not data.isascii() or not data.isprintable():
        raise RenderError("a QR token must be printable ASCII")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_image(
    data: str, target_width: int, *, min_module: int = 3, max_module: int = 10
) -> Image.Image:
    """A QR code for ``data`` close to ``target_width`` dots wide, as a mode "1" image.

    The module size is a whole number of dots, between ``min_module`` and ``max_module``; the
    quiet zone is left to the caller, who places the code on white paper.
    """
    matrix = qr_modules(data)
    count = len(matrix)
    module = max(min_module, min(max_module, target_width // count))
    small = Image.new("1", (count, count), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    return small.resize((count * module, count * module), Image.Resampling.NEAREST)
