"""``serial:DEVICE[:BAUD]``: a printer on a serial port or USB-serial adapter."""

from __future__ import annotations

from printer.errors import (
    UDEV_RULE,
    DependencyMissing,
    PrinterError,
    PrinterPermissionDenied,
    PrinterUnavailable,
)
from printer.transports.base import EscposTransport, _one_line

DEFAULT_BAUD = 9600


class SerialTransport(EscposTransport):
    """escpos' ``Serial`` printer (needs pyserial: ``pip install python-escpos[serial]``)."""

    kind = "serial"
    can_read_status = True

    def __init__(self, device: str, baud: int = DEFAULT_BAUD) -> None:
        from escpos.printer import Serial

        if not Serial.is_usable():
            raise DependencyMissing(
                "serial printers need pyserial: pip install 'python-escpos[serial]'"
            )
        self.device, self.baud = device, baud
        super().__init__(
            f"serial:{device}:{baud}",
            lambda: Serial(device, baudrate=baud, timeout=3),
        )

    def explain(self, exc: Exception) -> PrinterError:
        """Name the fix when the OS refused the device."""
        text = str(exc).lower()
        if "permission denied" in text or "errno 13" in text:
            return PrinterPermissionDenied(
                f"no permission to open {self.device}: add the kiosk user to the dialout "
                f"group, or install the udev rule {UDEV_RULE}"
            )
        return PrinterUnavailable(f"cannot open the serial printer {self.device}: {_one_line(exc)}")
