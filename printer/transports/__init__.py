"""Transports, chosen by one setting string (``KIOSK_PRINTER``, see docs/hardware.md).

=========================  ==========================================================
``preview:DIR``            PNG files in DIR (the default: ``<instance>/badges``)
``network:HOST[:PORT]``    raw TCP, port 9100 by default; IPv6 as ``[::1]:9100``
``usb:VENDOR:PRODUCT``     hex ids as ``lsusb`` prints them, e.g. ``usb:04b8:0e15``
``serial:DEVICE[:BAUD]``   e.g. ``serial:/dev/ttyUSB0:115200`` (9600 by default)
``file:PATH``              bytes written to a device node such as ``/dev/usb/lp0``
``cups:QUEUE``             a raw CUPS queue
``none``                   printing turned off
=========================  ==========================================================
"""

from __future__ import annotations

from printer.errors import PrinterSettingError
from printer.transports.base import EscposTransport, PrinterStatus, Transport

__all__ = ["EscposTransport", "PrinterStatus", "Transport", "open_transport", "KINDS"]

KINDS = ("preview", "network", "usb", "serial", "file", "cups", "none")


def _port(text: str, setting: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise PrinterSettingError(f"{setting!r}: the port must be a number from 1 to 65535")
    return int(text)


def _split_host_port(rest: str, setting: str) -> tuple[str, int | None]:
    if rest.startswith("["):  # [IPv6]:port
        host, _, tail = rest[1:].partition("]")
        return host, _port(tail[1:], setting) if tail.startswith(":") else None
    if rest.count(":") == 1:
        host, port = rest.split(":")
        return host, _port(port, setting)
    return rest, None


def _hex_id(text: str, setting: str) -> int:
    try:
        value = int(text, 16)
    except ValueError:
        raise PrinterSettingError(
            f"{setting!r}: USB ids are hexadecimal, as lsusb prints them (usb:04b8:0e15)"
        ) from None
    if not 0 <= value <= 0xFFFF:
        raise PrinterSettingError(f"{setting!r}: a USB id has at most four hex digits")
    return value


def open_transport(setting: str, *, cut: bool = True) -> Transport:
    """Build the transport that ``setting`` names; raise PrinterSettingError when it is wrong.

    Nothing is opened here: connections are made per job, so a printer that is switched off
    when the kiosk starts is found as soon as it is switched on.
    """
    setting = setting.strip()
    kind, _, rest = setting.partition(":")
    kind = kind.lower()
    transport: Transport
    if kind == "none" and not rest:
        from printer.transports.none import NoPrinter

        return NoPrinter()
    if not rest:
        raise PrinterSettingError(
            f"KIOSK_PRINTER={setting!r} is not understood; use one of "
            "preview:DIR, network:HOST[:PORT], usb:VENDOR:PRODUCT, serial:DEVICE[:BAUD], "
            "file:PATH, cups:QUEUE or none"
        )
    if kind == "preview":
        from printer.transports.preview import PreviewTransport

        transport = PreviewTransport(rest)
    elif kind == "network":
        from printer.transports.network import DEFAULT_PORT, NetworkTransport

        host, port = _split_host_port(rest, setting)
        if not host:
            raise PrinterSettingError(f"{setting!r}: give the printer's host name or address")
        transport = NetworkTransport(host, port or DEFAULT_PORT)
    elif kind == "usb":
        from printer.transports.usb import UsbTransport

        parts = rest.split(":")
        if len(parts) != 2:
            raise PrinterSettingError(f"{setting!r}: write usb:VENDOR:PRODUCT, e.g. usb:04b8:0e15")
        transport = UsbTransport(_hex_id(parts[0], setting), _hex_id(parts[1], setting))
    elif kind == "serial":
        from printer.transports.serial import DEFAULT_BAUD, SerialTransport

        device, _, baud = rest.rpartition(":")
        if not device or not baud.isdigit():
            device, baud = rest, str(DEFAULT_BAUD)
        transport = SerialTransport(device, int(baud))
    elif kind == "file":
        from printer.transports.file import FileTransport

        transport = FileTransport(rest)
    elif kind == "cups":
        from printer.transports.cups import CupsTransport

        transport = CupsTransport(rest)
    else:
        raise PrinterSettingError(
            f"KIOSK_PRINTER={setting!r}: unknown printer kind {kind!r}; "
            f"known kinds: {', '.join(KINDS)}"
        )
    transport.cut = cut
    return transport
