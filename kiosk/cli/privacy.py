"""Privacy commands: ``kiosk member export``, ``kiosk research-export``, ``kiosk retention run``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.errors import NotFound
from kiosk.reports import ReportError, parse_month


def _write_private(path: Path, text: str) -> None:
    # Personal data: readable by the kiosk's own user only, and never half-written.
    path = path.resolve()
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@click.command("export")
@click.argument("member_id", type=int)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the JSON to this file (mode 600) instead of standard output.",
)
@pass_kiosk
def member_export(kiosk: KioskContext, member_id: int, out: Path | None) -> None:
    """Export everything held about a member as JSON (card tokens shortened to a hint)."""
    from kiosk.privacy.personal_data import export_json, export_member

    try:
        data = export_member(kiosk.db, member_id, kiosk.clock.now(), actor="cli")
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    text = export_json(data)
    if out is None:
        click.echo(text, nl=False)
    else:
        _write_private(out, text)
        click.echo(f"Wrote the personal data of member {member_id} to {out}", err=True)


@click.command("research-export")
@click.argument("month_from", metavar="MONTH_FROM")
@click.argument("month_to", metavar="MONTH_TO")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write members.csv, visits.csv and the data dictionary into.",
)
@pass_kiosk
def research_export(kiosk: KioskContext, month_from: str, month_to: str, out: Path) -> None:
    """Pseudonymised export for the research group: consenting members only, MONTH_FROM to
    MONTH_TO (YYYY-MM, both included), with a data dictionary."""
    from kiosk.privacy.research_export import export_research

    try:
        first, last = parse_month(month_from), parse_month(month_to)
    except ReportError as exc:
        raise click.BadParameter(str(exc)) from exc
    if last < first:
        raise click.BadParameter("MONTH_TO comes before MONTH_FROM")
    settings = kiosk.settings
    result = export_research(
        kiosk.db,
        first,
        last,
        settings.tz,
        Path(settings.instance_path),
        out,
        kiosk.clock.now(),
        actor="cli",
    )
    click.echo(
        f"Wrote {result.visits} visit(s) of {result.members} consenting member(s), "
        f"{first} to {last}, to {out}"
    )


@click.group("retention")
def retention_group() -> None:
    """Anonymise data older than KIOSK_RETENTION_MONTHS (kiosk serve does it daily)."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymised.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@pass_kiosk
def retention_run(kiosk: KioskContext, dry_run: bool, as_json: bool) -> None:
    """Anonymise visits, mood answers and guest data older than the retention period."""
    from kiosk.privacy.retention import anonymise_expired

    months = int(kiosk.settings.retention_months)
    if months < 1:
        raise click.ClickException("KIOSK_RETENTION_MONTHS is 0: retention is turned off")
    result = anonymise_expired(
        kiosk.db, kiosk.clock.now(), months, dry_run=dry_run, actor="cli", tz=kiosk.settings.tz
    )
    if as_json:
        click.echo(json.dumps(result.as_dict()))
        return
    verb = "Would anonymise" if dry_run else "Anonymised"
    click.echo(
        f"{verb} {result.visits} visit(s) (with {result.moods} mood answer(s) and "
        f"{result.alerts} alert(s)) and {result.guests} guest(s) from before {result.cutoff}; "
        f"{result.scans} scan(s) and {result.print_jobs} print job(s) cleared."
    )


def register(group: click.Group) -> None:
    """Add ``kiosk member export``, ``kiosk research-export`` and ``kiosk retention``."""
    member = group.commands.get("member")
    if not isinstance(member, click.Group):
        raise RuntimeError("kiosk.cli.privacy must be registered after kiosk.cli.members")
    member.add_command(member_export)
    group.add_command(research_export)
    group.add_command(retention_group)
