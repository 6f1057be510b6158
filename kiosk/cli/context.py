"""What every CLI command receives: the settings, the database and the clock, made on demand."""

from __future__ import annotations

from functools import cached_property

import click
import sqlite_utils

from kiosk.clock import Clock, SystemClock
from kiosk.db import DatabaseUnavailable, connect
from kiosk.settings import ConfigError, Settings, load_settings


class KioskContext:
    """Lazily built settings and database, so that ``kiosk --help`` touches nothing."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()

    @cached_property
    def settings(self) -> Settings:
        """The effective settings (defaults, instance file, environment)."""
        try:
            return load_settings()
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """The kiosk database, migrated to the current schema."""
        try:
            return connect(self.settings.database, migrate=True)
        except DatabaseUnavailable as exc:
            raise click.ClickException(str(exc)) from exc

    def close(self) -> None:
        """Close the database, if a command opened it."""
        db = self.__dict__.pop("db", None)
        if db is not None:
            db.close()


pass_kiosk = click.make_pass_decorator(KioskContext, ensure=True)
