"""Named errors of the reports area; the CLI and the dashboard turn them into clear messages."""

from __future__ import annotations

from kiosk.errors import KioskError


class ReportError(KioskError, ValueError):
    """A report cannot be made as asked."""


class BadMonth(ReportError):
    """The month is not ``YYYY-MM`` or is out of range."""


class UnknownKind(ReportError):
    """The report kind is not one of :data:`kiosk.reports.KINDS`."""


class BadDelimiter(ReportError):
    """The delimiter cannot separate CSV cells safely."""


class UnknownLanguage(ReportError):
    """The language has no report headers (fi, sv and en do)."""
