"""Named printer errors, so that callers can tell "try again later" from "this will never work".

Every error carries ``state``: the word stored as the printer's state on the dashboard
(``offline``, ``paper_out``…), and a message a host can act on.
"""

from __future__ import annotations

UDEV_RULE = "deploy/udev/99-tankkaamo-kiosk.rules"


class PrinterError(Exception):
    """Something about the printer went wrong; the base of every printer error."""

    state = "error"
    #: Whether retrying later can help (an offline printer) or not (a wrong setting).
    transient = True


class PrinterUnavailable(PrinterError):
    """The printer cannot be reached: switched off, unplugged, wrong address, no such device."""

    state = "offline"


class PrinterPermissionDenied(PrinterUnavailable):
    """The operating system refused access to the printer device (USB or serial)."""

    state = "no_permission"


class PaperOut(PrinterError):
    """The printer reports that its paper roll is empty."""

    state = "paper_out"


class PrinterDisabled(PrinterError):
    """Printing is turned off (``KIOSK_PRINTER=none``); jobs are cancelled, not retried."""

    state = "disabled"
    transient = False


class PrinterSettingError(ValueError):
    """``KIOSK_PRINTER`` (or another printer setting) has a value the kiosk cannot use."""


class DependencyMissing(PrinterError):
    """The transport needs an optional Python package that is not installed."""

    state = "misconfigured"
    transient = False


class RenderError(ValueError):
    """A job's payload cannot be drawn (a missing field, an unknown kind)."""
