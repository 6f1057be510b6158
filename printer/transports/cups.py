"""``cups:QUEUE``: raw ESC/POS through a CUPS queue (needs pycups)."""

from __future__ import annotations

from printer.errors import DependencyMissing
from printer.transports.base import EscposTransport


class CupsTransport(EscposTransport):
    """escpos' ``CupsPrinter``: CUPS holds and retries jobs, so no status can be asked."""

    kind = "cups"

    def __init__(self, queue: str) -> None:
        from escpos.printer import CupsPrinter

        if not CupsPrinter.is_usable():
            raise DependencyMissing("CUPS printing needs pycups: pip install 'python-escpos[cups]'")
        self.queue = queue
        super().__init__(f"cups:{queue}", lambda: CupsPrinter(queue))
