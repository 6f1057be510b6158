"""KIOSK_PRINTER parsing and the transports that need no device."""

from __future__ import annotations

import pytest
from PIL import Image

from printer.errors import UDEV_RULE, PrinterDisabled, PrinterPermissionDenied, PrinterSettingError
from printer.transports import open_transport
from printer.transports.file import FileTransport
from printer.transports.network import NetworkTransport
from printer.transports.usb import UsbTransport


@pytest.mark.parametrize(
    ("setting", "host", "port"),
    [
        ("network:10.0.0.5", "10.0.0.5", 9100),
        ("network:printer.local:9101", "printer.local", 9101),
        ("network:[::1]:9102", "::1", 9102),
    ],
)
def test_network_settings(setting, host, port):
    transport = open_transport(setting)
    assert isinstance(transport, NetworkTransport)
    assert (transport.host, transport.port) == (host, port)


@pytest.mark.parametrize(
    "setting",
    [
        "",
        "bogus",
        "network:",
        "network:host:notaport",
        "network:host:70000",
        "usb:zz:01",
        "usb:04b8",
        "laser:x",
        "file:",
    ],
)
def test_bad_settings_are_refused_with_a_message(setting):
    with pytest.raises(PrinterSettingError):
        open_transport(setting)


def test_none_and_preview(tmp_path):
    with pytest.raises(PrinterDisabled):
        open_transport("none").check_ready()
    preview = open_transport(f"preview:{tmp_path / 'out'}")
    assert preview.check_ready().state == "ready"
    preview.print_image(Image.new("1", (384, 100), 1), label="job7")
    (written,) = (tmp_path / "out").iterdir()
    assert written.name.endswith("-job7.png")


def test_file_transport_writes_the_escpos_bytes(tmp_path):
    target = tmp_path / "lp0"
    transport = open_transport(f"file:{target}", cut=False)
    assert isinstance(transport, FileTransport)
    transport.print_image(Image.new("1", (576, 10), 0))
    data = target.read_bytes()
    assert data.startswith(b"\x1b@") and b"\x1dv0\x00" in data


def test_usb_permission_error_names_the_udev_rule():
    transport = UsbTransport.__new__(UsbTransport)  # no pyusb needed to word the message
    transport.vendor, transport.product = 0x04B8, 0x0E15
    error = transport.explain(OSError("[Errno 13] Access denied (insufficient permissions)"))
    assert isinstance(error, PrinterPermissionDenied)
    assert UDEV_RULE in str(error) and "04b8:0e15" in str(error)
    other = transport.explain(OSError("Device not found"))
    assert not isinstance(other, PrinterPermissionDenied)
