"""``kiosk report``: a month's CSV report to a file or to standard output."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import click

from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.reports import (
    KINDS,
    ReportError,
    build_report,
    parse_delimiter,
    parse_month,
    write_report,
)
from kiosk.reports.columns import LANGUAGES


def _write_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    # A report that fails half-way must not leave a half file that looks complete.
    path = path.resolve()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def register(group: click.Group) -> None:
    """Add this area's commands to the ``kiosk`` group."""

    @group.command("report")
    @click.argument("month", metavar="MONTH")
    @click.option(
        "--kind",
        required=True,
        type=click.Choice(KINDS),
        help="Which report: one row per visit, per day, per person, per week of moods, "
        "per event, or the month's summary.",
    )
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="Write to this file instead of standard output.",
    )
    @click.option(
        "--delimiter",
        default=",",
        show_default=True,
        help="Cell separator: ',' ';' '|' or 'tab'. Use ';' for Excel with Finnish settings.",
    )
    @click.option(
        "--language",
        type=click.Choice(LANGUAGES),
        default=None,
        help="Language of the headers and words [default: KIOSK_DEFAULT_LANGUAGE].",
    )
    @pass_kiosk
    def report(
        kiosk: KioskContext,
        month: str,
        kind: str,
        out: Path | None,
        delimiter: str,
        language: str | None,
    ) -> None:
        """Write the CSV report of MONTH (YYYY-MM, in KIOSK_TIMEZONE).

        The file is UTF-8 with a BOM, so Excel and LibreOffice show ä, ö and å; a visit
        belongs to the month of its check-in in local time.
        """
        try:
            which = parse_month(month)
        except ReportError as exc:
            raise click.BadParameter(str(exc), param_hint="MONTH") from exc
        try:
            separator = parse_delimiter(delimiter)
        except ReportError as exc:
            raise click.BadParameter(str(exc), param_hint="--delimiter") from exc
        settings = kiosk.settings
        try:
            prepared = build_report(
                kiosk.db,
                kind,
                which,
                settings.tz,
                language or settings.default_language,
                help_topics=settings.help_topics,
                min_group_size=int(settings.min_group_size),
            )
        except ReportError as exc:
            raise click.ClickException(str(exc)) from exc

        def write(stream: IO[bytes]) -> None:
            write_report(prepared, stream, delimiter=separator)

        if out is None:
            # The bytes go out as they are: the BOM and CRLF must not meet a text layer.
            sys.stdout.flush()
            stdout = sys.stdout.buffer
            write(stdout)
            stdout.flush()
        else:
            _write_atomically(out, write)
            click.echo(f"Wrote the {kind} report of {which} to {out}", err=True)
