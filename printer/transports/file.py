"""``file:PATH``: raw ESC/POS bytes written to a device node (``/dev/usb/lp0``) or a file."""

from __future__ import annotations

from printer.transports.base import EscposTransport


class FileTransport(EscposTransport):
    """escpos' ``File`` printer; each job rewrites PATH, as a device node expects."""

    kind = "file"

    def __init__(self, path: str) -> None:
        from escpos.printer import File

        self.path = path
        super().__init__(f"file:{path}", lambda: File(path))
