"""``kiosk member …``: members and their cards."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kiosk.cards import active_member_token, issue_member_card
from kiosk.cli.context import KioskContext, pass_kiosk
from kiosk.errors import InvalidInput, NotFound
from kiosk.member_import import MAX_FILE_BYTES, import_members
from kiosk.members import LANGUAGES, NewMember, add_member, get_member
from kiosk.printing.queue import preview_directory
from kiosk.privacy.erasure import forget_member


@click.group("member")
def member_group() -> None:
    """Manage members and their QR cards."""


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@member_group.command("add")
@click.option("--name", required=True, help="Full name; the first word is used in greetings.")
@click.option("--company", default="")
@click.option("--business-id", default="", help="Y-tunnus, e.g. 1234567-1.")
@click.option("--email", default="")
@click.option("--phone", default="")
@click.option("--language", type=click.Choice(LANGUAGES), default="fi", show_default=True)
@click.option("--interests", default="", help='Shown as "Kysy minulta: …" on badges.')
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_kiosk
def add(kiosk: KioskContext, as_json: bool, **fields: str) -> None:
    """Add a member and issue their card."""
    try:
        member_id, token = add_member(
            kiosk.db,
            NewMember(consent_version=kiosk.settings.consent_version, **fields),
            kiosk.clock.now(),
        )
    except InvalidInput as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps({"id": member_id, "card_token": token, "name": fields["name"]}))
    else:
        click.echo(f"Added member {member_id}: {fields['name']}")
        click.echo(f"Card: kiosk member card {member_id} --out card.png")


@member_group.command("card")
@click.argument("member_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_kiosk
def card(kiosk: KioskContext, member_id: int, out: Path) -> None:
    """Write the member's QR card as an image."""
    from kiosk.printing.member_cards import write_member_card

    try:
        member = get_member(kiosk.db, member_id)
        token = active_member_token(kiosk.db, member_id)
    except NotFound as exc:
        raise _fail(exc) from exc
    write_member_card(member, token, out, kiosk.settings.tz)
    click.echo(f"Wrote {out}")


@member_group.command("revoke-card")
@click.argument("member_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the new card token as JSON.")
@pass_kiosk
def revoke_card(kiosk: KioskContext, member_id: int, as_json: bool) -> None:
    """Revoke the active card and issue a new one."""
    from kiosk import audit

    try:
        get_member(kiosk.db, member_id)
    except NotFound as exc:
        raise _fail(exc) from exc
    token = issue_member_card(kiosk.db, member_id, kiosk.clock.now())
    audit.record(kiosk.db, kiosk.clock.now(), "cli", "card.reissue", f"member:{member_id}")
    if as_json:
        click.echo(json.dumps({"id": member_id, "card_token": token}))
    else:
        click.echo(f"Revoked the old card of member {member_id} and issued a new one.")


@member_group.command("forget")
@click.argument("member_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_kiosk
def forget(kiosk: KioskContext, member_id: int, yes: bool) -> None:
    """Erase the person's personal data everywhere, keeping only anonymous counts."""
    try:
        member = get_member(kiosk.db, member_id)
    except NotFound as exc:
        raise _fail(exc) from exc
    if member["forgotten_at"]:
        click.echo(f"Member {member_id} has already been erased.")
        return
    if not yes:
        click.confirm(f"Erase {member['name']} (member {member_id}) for good?", abort=True)
    counts = forget_member(
        kiosk.db,
        member_id,
        kiosk.clock.now(),
        "cli",
        preview_directory(kiosk.settings),
        tz=kiosk.settings.tz,
    )
    click.echo(f"Erased member {member_id}; {counts['visits']} visit(s) kept as anonymous counts.")


@member_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_kiosk
def import_(kiosk: KioskContext, csv_file: Path) -> None:
    """Add members in bulk from a CSV file (name, company, business_id, email, phone, …)."""
    if csv_file.stat().st_size > MAX_FILE_BYTES:
        raise click.ClickException(f"{csv_file} is larger than {MAX_FILE_BYTES // 2**20} MB")
    try:
        text = csv_file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{csv_file} is not UTF-8 text: {exc}") from exc
    total = max(sum(1 for line in text.splitlines()[1:] if line.strip()), 1)
    added, rejected = 0, []
    try:
        results = import_members(kiosk.db, text, kiosk.clock.now(), kiosk.settings.consent_version)
        with click.progressbar(results, length=total, label="Importing") as bar:
            for row in bar:
                if row.error:
                    rejected.append(row)
                else:
                    added += 1
    except InvalidInput as exc:
        raise _fail(exc) from exc
    for row in rejected:
        click.echo(f"line {row.line}: {row.error}", err=True)
    click.echo(f"Added {added} member(s); rejected {len(rejected)} row(s).")
    if rejected:
        raise SystemExit(1)


def register(group: click.Group) -> None:
    """Add ``kiosk member``."""
    group.add_command(member_group)
