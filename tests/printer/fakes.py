"""A transport double that records images and fails on demand (for queue tests)."""

from __future__ import annotations

from PIL import Image

from printer.errors import PrinterError
from printer.transports import PrinterStatus, Transport


class RecordingTransport(Transport):
    """Keeps every printed image; ``fail_with`` makes the next prints raise that error."""

    kind = "fake"

    def __init__(self) -> None:
        super().__init__("fake:")
        self.printed: list[tuple[str, Image.Image]] = []
        self.fail_with: PrinterError | None = None
        self.state = PrinterStatus("ready")

    def print_image(self, image: Image.Image, label: str = "") -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.printed.append((label, image))

    def send(self, data: bytes) -> None:
        raise AssertionError("the queue prints images")

    def status(self) -> PrinterStatus:
        return self.state
