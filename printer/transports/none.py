"""``none``: printing turned off. Jobs are cancelled, never retried."""

from __future__ import annotations

from PIL import Image

from printer.errors import PrinterDisabled
from printer.transports.base import PrinterStatus, Transport

MESSAGE = "printing is turned off (KIOSK_PRINTER=none)"


class NoPrinter(Transport):
    """The transport for ``KIOSK_PRINTER=none``."""

    kind = "none"

    def __init__(self) -> None:
        super().__init__("none")

    def print_image(self, image: Image.Image, label: str = "") -> None:
        """Refuse: there is no printer."""
        raise PrinterDisabled(MESSAGE)

    def send(self, data: bytes) -> None:
        """Refuse: there is no printer."""
        raise PrinterDisabled(MESSAGE)

    def status(self) -> PrinterStatus:
        """Always ``disabled``."""
        return PrinterStatus("disabled", MESSAGE)

    def check_ready(self) -> PrinterStatus:
        """Refuse: there is no printer."""
        raise PrinterDisabled(MESSAGE)
