"""``kiosk report``: a month's (or a range of months') report as CSV or xlsx."""

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
    write_report_xlsx,
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
    @click.argument("month", metavar="MONTH", required=False)
    @click.option(
        "--kind",
        required=True,
        type=click.Choice(KINDS),
        help="Which report: one row per visit, per day, per person, per week of moods, "
        "per event, the month's summary, or the EU indicators.",
    )
    @click.option("--from", "first", metavar="YYYY-MM", help="First month of a range.")
    @click.option("--to", "last", metavar="YYYY-MM", help="Last month of a range.")
    @click.option(
        "--project",
        is_flag=True,
        help="The whole project period (KIOSK_PROJECT_START to KIOSK_PROJECT_END).",
    )
    @click.option(
        "--format",
        "file_format",
        type=click.Choice(("csv", "xlsx")),
        default="csv",
        show_default=True,
        help="CSV, or an Excel workbook (needs --out).",
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
        month: str | None,
        kind: str,
        first: str | None,
        last: str | None,
        project: bool,
        file_format: str,
        out: Path | None,
        delimiter: str,
        language: str | None,
    ) -> None:
        """Write the report of MONTH (YYYY-MM, in KIOSK_TIMEZONE), or of --from to --to.

        CSV is UTF-8 with a BOM, so Excel and LibreOffice show ä, ö and å; --format xlsx
        writes an Excel workbook with real dates and numbers. A visit belongs to the month of
        its check-in in local time. The indicators count since KIOSK_PROJECT_START.
        """
        settings = kiosk.settings
        if project:
            first, last = settings.project_start, settings.project_end
        if (month is None) == (first is None and last is None):
            raise click.UsageError("give either MONTH or --from and --to (or --project)")
        try:
            start = parse_month(month or first or "")
            end = parse_month(month or last or first or "")
            project_start = parse_month(settings.project_start)
        except ReportError as exc:
            raise click.BadParameter(str(exc), param_hint="MONTH / --from / --to") from exc
        try:
            separator = parse_delimiter(delimiter)
        except ReportError as exc:
            raise click.BadParameter(str(exc), param_hint="--delimiter") from exc
        if file_format == "xlsx" and out is None:
            raise click.UsageError("--format xlsx writes a file: give --out FILE.xlsx")
        try:
            prepared = build_report(
                kiosk.db,
                kind,
                start,
                settings.tz,
                language or settings.default_language,
                help_topics=settings.help_topics,
                min_group_size=settings.min_group_size,
                project_start=project_start,
                last=end,
            )
        except ReportError as exc:
            raise click.ClickException(str(exc)) from exc

        def write(stream: IO[bytes]) -> None:
            if file_format == "xlsx":
                write_report_xlsx(prepared, stream)
            else:
                write_report(prepared, stream, delimiter=separator)

        if out is None:
            # The bytes go out as they are: the BOM and CRLF must not meet a text layer.
            sys.stdout.flush()
            stdout = sys.stdout.buffer
            write(stdout)
            stdout.flush()
        else:
            _write_atomically(out, write)
            click.echo(f"Wrote the {kind} report of {prepared.period} to {out}", err=True)
