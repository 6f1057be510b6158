"""QR codes for staff pages, as SVG data URIs (the CSP allows ``data:`` images)."""

from __future__ import annotations

import base64

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathFillImage


def qr_data_uri(text: str) -> str:
    """A crisp, scalable QR code for ``text`` as a ``data:image/svg+xml`` URI."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=10)
    code.add_data(text)
    code.make(fit=True)
    svg = code.make_image(image_factory=SvgPathFillImage).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
