"""``usb:VENDOR:PRODUCT``: a printer on USB, found by its hex ids (``lsusb`` shows them)."""

from __future__ import annotations

from printer.errors import (
    UDEV_RULE,
    DependencyMissing,
    PrinterError,
    PrinterPermissionDenied,
    PrinterUnavailable,
)
from printer.transports.base import EscposTransport, _one_line

_PERMISSION_WORDS = ("access denied", "insufficient permissions", "errno 13", "permission denied")


class UsbTransport(EscposTransport):
    """escpos' ``Usb`` printer (needs pyusb: ``pip install python-escpos[usb]``)."""

    kind = "usb"
    can_read_status = True

    def __init__(self, vendor: int, product: int) -> None:
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise DependencyMissing("usb printers need pyusb: pip install 'python-escpos[usb]'")
        self.vendor, self.product = vendor, product
        super().__init__(
            f"usb:{vendor:04x}:{product:04x}",
            lambda: Usb(vendor, product, timeout=5000),
        )

    def explain(self, exc: Exception) -> PrinterError:
        """Name the udev rule when the OS refused access, the cable otherwise."""
        text = str(exc).lower()
        if any(word in text for word in _PERMISSION_WORDS):
            return PrinterPermissionDenied(
                f"no permission to use the USB printer {self.vendor:04x}:{self.product:04x}. "
                f"Install the udev rule: sudo cp {UDEV_RULE} /etc/udev/rules.d/ && "
                "sudo udevadm control --reload && sudo udevadm trigger, then unplug and "
                "replug the printer"
            )
        return PrinterUnavailable(
            f"USB printer {self.vendor:04x}:{self.product:04x} not found or not answering "
            f"(is it plugged in and switched on? check the ids with lsusb): {_one_line(exc)}"
        )
