"""``kiosk backup`` and ``kiosk restore``: thin over :mod:`kiosk.backup`."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.backup import (
    BackupError,
    RestoreRefused,
    backup_database,
    backup_into,
    check_backup,
    restore_database,
    rotate_backups,
)
from kiosk.cli.context import KioskContext, pass_kiosk


@click.command("backup")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a time-stamped backup (kiosk-YYYYMMDD-HHMMSS.db) into this folder instead.",
)
@click.option(
    "--keep-daily",
    type=click.IntRange(min=1),
    help="With --dir: keep the newest backup of each of the last N days that have one.",
)
@click.option(
    "--keep-weekly",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="With --dir and --keep-daily: also keep the newest backup of each of the last N weeks.",
)
@pass_kiosk
def backup_command(
    kiosk: KioskContext,
    file: Path | None,
    folder: Path | None,
    keep_daily: int | None,
    keep_weekly: int,
) -> None:
    """Write a consistent copy of the database to FILE, safely while the kiosk runs.

    The nightly timer uses --dir with --keep-daily/--keep-weekly to rotate old backups.
    """
    if (file is None) == (folder is None):
        raise click.UsageError("give either FILE or --dir FOLDER")
    if keep_daily is None and folder is not None and keep_weekly:
        raise click.UsageError("--keep-weekly needs --keep-daily")
    if keep_daily is not None and folder is None:
        raise click.UsageError("--keep-daily works with --dir")
    database = kiosk.settings.database
    try:
        written = (
            backup_database(database, file) if file is not None else backup_into(database, folder)
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up {database} to {written} ({written.stat().st_size} bytes).")
    if folder is not None and keep_daily is not None:
        deleted = rotate_backups(folder, keep_daily=keep_daily, keep_weekly=keep_weekly)
        for path in deleted:
            click.echo(f"Removed old backup {path}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--check-only", is_flag=True, help="Only check that FILE could be restored; change nothing."
)
@pass_kiosk
def restore_command(kiosk: KioskContext, file: Path, check_only: bool) -> None:
    """Replace the database with the backup FILE, after checking it.

    Refuses (exit status 1, nothing changed) a damaged file, a file that is not a kiosk
    database, a backup from a newer kiosk version, or a database still in use: stop the kiosk
    first. The previous database is kept as kiosk.db.before-restore-<time>.
    """
    database = Path(kiosk.settings.database)
    try:
        if check_only:
            steps, pending = check_backup(file)
            click.echo(f"{file} is sound: {len(steps)} schema step(s), {len(pending)} to apply.")
            return
        result = restore_database(file, database)
    except RestoreRefused as exc:
        raise click.ClickException(f"Restore refused, nothing was changed: {exc}") from exc
    click.echo(f"Restored {file} into {result.database}.")
    if result.previous is not None:
        click.echo(f"The previous database is kept as {result.previous}.")
    if result.pending_steps:
        click.echo(
            f"The backup is from an older version; {len(result.pending_steps)} schema step(s) "
            "will be applied when the kiosk starts (or run: kiosk db migrate)."
        )


def register(group: click.Group) -> None:
    """Add ``kiosk backup`` and ``kiosk restore`` to the group."""
    group.add_command(backup_command)
    group.add_command(restore_command)
