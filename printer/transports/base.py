"""What every transport does: move an image (or its ESC/POS bytes) and say how the printer is.

A transport never lays anything out: it receives a finished 1-bit image. The ones that speak
ESC/POS wrap a python-escpos printer class, which only moves bytes; escpos' errors are turned
into the kiosk's named errors (:mod:`printer.errors`) here, at the edge.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from escpos.constants import RT_STATUS_ONLINE
from PIL import Image

from printer.encode import encode_image
from printer.errors import PaperOut, PrinterError, PrinterUnavailable


def _is_usb_timeout(exc: OSError) -> bool:
    # pyusb's USBTimeoutError, without importing pyusb where it is not installed.
    return type(exc).__name__ == "USBTimeoutError"


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself, in the words stored in ``device_status``.

    ``state`` is one of ``ready``, ``paper_low``, ``paper_out``, ``offline``, ``cover_open``,
    ``no_permission``, ``misconfigured``, ``disabled``, ``unknown`` (the transport cannot ask,
    or the printer did not answer) or ``error``.
    """

    state: str
    detail: str = ""

    @property
    def can_print(self) -> bool:
        """Whether a job may be sent now (an unknown status is given the benefit of the doubt)."""
        return self.state in {"ready", "paper_low", "unknown"}


class Transport(ABC):
    """One way to reach a printer, chosen by ``KIOSK_PRINTER``."""

    #: The prefix of the setting that picks this transport (``network``, ``usb``…).
    kind = "abstract"
    #: Whether the printer has a cutter; without one the paper is only fed out.
    cut = True

    def __init__(self, description: str) -> None:
        self.description = description

    def print_image(self, image: Image.Image, label: str = "") -> None:
        """Print ``image``; ``label`` (a job id) names the file where a transport writes files."""
        self.send(encode_image(image, cut=self.cut).data)

    @abstractmethod
    def send(self, data: bytes) -> None:
        """Send ESC/POS bytes; raise a :class:`~printer.errors.PrinterError` on failure."""

    def status(self) -> PrinterStatus:
        """Ask the printer how it is, where the connection allows it."""
        return PrinterStatus("unknown", "this connection cannot ask the printer for its status")

    def check_ready(self) -> PrinterStatus:
        """Return the status, or raise the error that stops printing now (paper out, offline)."""
        status = self.status()
        if status.state == "paper_out":
            raise PaperOut(f"{self.description}: {status.detail or 'the paper has run out'}")
        if not status.can_print:
            error = PrinterUnavailable(f"{self.description}: {status.detail or status.state}")
            error.state = status.state
            raise error
        return status

    def __str__(self) -> str:
        return self.description


class EscposTransport(Transport):
    """A transport that moves bytes through a python-escpos printer object.

    A connection is opened for each job and each status request and closed after it: network
    printers often serve one client at a time, and a USB or serial device left open would stop
    another process (``kiosk printer test``) from reaching it.
    """

    #: Whether the connection can read the printer's answers (DLE EOT status).
    can_read_status = False

    def __init__(self, description: str, factory: Callable[[], Any]) -> None:
        super().__init__(description)
        self._factory = factory

    def explain(self, exc: Exception) -> PrinterError:
        """Turn an error from escpos or the OS into a named printer error."""
        return PrinterUnavailable(
            f"cannot reach the printer at {self.description}: {_one_line(exc)}"
        )

    def _open(self) -> Any:
        from escpos.exceptions import DeviceNotFoundError

        device = self._factory()
        try:
            device.open()
        except (DeviceNotFoundError, OSError) as exc:
            raise self.explain(exc) from exc
        return device

    def send(self, data: bytes) -> None:
        """Open the connection, send ``data`` and close it."""
        device = self._open()
        try:
            device._raw(data)  # escpos' byte-moving primitive: the layout is already encoded
        except (TimeoutError, OSError) as exc:
            raise self.explain(exc) from exc
        finally:
            _close(device)

    def status(self) -> PrinterStatus:
        """Ask with DLE EOT 1 (online) and DLE EOT 4 (paper sensor)."""
        if not self.can_read_status:
            return super().status()
        device = self._open()
        try:
            # Many cheap printers never answer DLE EOT; pyserial then reads b"" and escpos
            # reports "offline", pyusb raises its timeout (an OSError). Neither means the
            # printer is off, so both are "unknown", and the job is printed anyway.
            if not device.query_status(RT_STATUS_ONLINE):
                return PrinterStatus("unknown", "the printer did not answer a status request")
            online = device.is_online()
            paper = device.paper_status()
        except TimeoutError:
            return PrinterStatus("unknown", "the printer did not answer a status request")
        except OSError as exc:
            if _is_usb_timeout(exc):
                return PrinterStatus("unknown", "the printer did not answer a status request")
            raise self.explain(exc) from exc
        except NotImplementedError as exc:
            # python-escpos raises this for a connection that cannot read answers; it is
            # escpos' own signal, not unfinished work here.
            raise self.explain(exc) from exc
        finally:
            _close(device)
        if paper == 0:
            return PrinterStatus("paper_out", "the paper has run out")
        if not online:
            return PrinterStatus("offline", "the printer reports it is offline (cover open?)")
        if paper == 1:
            return PrinterStatus("paper_low", "the paper roll is nearly empty")
        return PrinterStatus("ready")


def _close(device: Any) -> None:
    try:
        device.close()
    except OSError:
        pass  # closing a connection that already failed must not hide the first error


def _one_line(exc: Exception) -> str:
    """escpos puts newlines inside its messages; a log line or a CLI message wants one line."""
    return " ".join(str(exc).split())
