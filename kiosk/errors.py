"""Named domain errors, turned into clear messages at the edges (screens, API, CLI)."""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the domain raises on purpose."""


class NotFound(KioskError):
    """The member, guest, visit or card asked for does not exist."""


class InvalidInput(KioskError):
    """A value given by a person or a script is not acceptable; the message says why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FormInvalid(InvalidInput):
    """Several fields of a form are wrong; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors))
        super().__init__(errors[first], first)
        self.errors = errors
