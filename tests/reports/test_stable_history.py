"""A closed month reads the same before and after retention and erasure, in every report kind.

The fixture month (November 2026) is extended with people whose visits the audit found moved
figures: a member with an attended registration *and* a visit linked to the same event (the
event's attendance went up once the visit was anonymised), two spellings of one company, and
profile classes for the indicators. Then a member is erased, retention cuts the month in two,
and retention takes the rest; after each step every aggregate report is byte-identical, and
the per-visit and per-person reports keep every figure and lose only names.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.privacy.erasure import forget_member
from kiosk.privacy.retention import anonymise_expired
from kiosk.reports import KINDS, Month, build_report, write_report

from .conftest import add_visit, at

HELSINKI = ZoneInfo("Europe/Helsinki")
NOVEMBER = Month(2026, 11)
AGGREGATE = [kind for kind in KINDS if kind not in ("visits", "people")]
# Columns that name a person, the only ones anonymisation may empty.
PERSONAL = {"visits": {6, 7, 8, 9}, "people": {0, 1, 2, 3, 4}}


@pytest.fixture
def history(month_db):
    db = month_db
    created = at(2026, 10, 1, 9)
    db["members"].insert_all(
        [
            dict(id=4, name="Tiina Ääni", first_name="Tiina", company="Äänekosken Ääni Oy",
                 business_id="3456789-0", size_class="micro", company_new=1, gender="woman",
                 age_band="30_54", created_at=created, updated_at=created),
            dict(id=5, name="Olli Ääni", first_name="Olli", company="ÄÄNEKOSKEN  ÄÄNI OY",
                 size_class="micro", gender="man", age_band="55_plus", created_at=created,
                 updated_at=created),
        ]
    )  # fmt: skip
    db["known_companies"].insert({"name_key": "äänekosken ääni oy", "business_id": "3456789-0"})
    for day in (3, 12, 20):
        add_visit(db, member_id=4, checked_in_at=at(2026, 11, day, 9),
                  checked_out_at=at(2026, 11, day, 12), event_id=1 if day == 12 else None,
                  first_visit=int(day == 3))  # fmt: skip
    add_visit(db, member_id=5, checked_in_at=at(2026, 11, 12, 12, 45),
              checked_out_at=at(2026, 11, 12, 22), checkout_method="automatic", event_id=1,
              first_visit=1)  # fmt: skip
    add_visit(db, member_id=5, checked_in_at=at(2026, 11, 25, 10),
              checked_out_at=at(2026, 11, 25, 11))  # fmt: skip
    db["event_registrations"].insert(
        dict(event_id=1, member_id=4, registered_at=at(2026, 11, 10, 9),
             attended_at=at(2026, 11, 12, 13))
    )  # fmt: skip
    return db


def render(db, kind: str) -> bytes:
    stream = io.BytesIO()
    report = build_report(db, kind, NOVEMBER, HELSINKI, "fi", project_start=Month(2026, 10))
    write_report(report, stream, delimiter=";")
    return stream.getvalue()


def figures(db, kind: str) -> list[tuple[str, ...]]:
    rows = list(csv.reader(io.StringIO(render(db, kind).decode("utf-8-sig")), delimiter=";"))
    kept = [tuple(c for i, c in enumerate(row) if i not in PERSONAL[kind]) for row in rows]
    return kept if kind == "visits" else sorted(kept)


def snapshot(db) -> dict[str, object]:
    result: dict[str, object] = {kind: render(db, kind) for kind in AGGREGATE}
    result.update({kind: figures(db, kind) for kind in PERSONAL})
    return result


def test_event_attendance_does_not_grow_when_a_visit_is_anonymised(history) -> None:
    def attended() -> str:
        rows = render(history, "events").decode("utf-8-sig").splitlines()
        return rows[1].split(";")[10]

    before = attended()
    forget_member(history, 4, datetime(2027, 1, 5, tzinfo=HELSINKI), "test", tz=HELSINKI)
    assert attended() == before == "4"  # members 1, 4, 5 and guest 1: not 5


def test_every_report_of_a_closed_month_survives_erasure_and_retention(history) -> None:
    original = snapshot(history)
    forget_member(history, 4, datetime(2027, 1, 5, tzinfo=HELSINKI), "test", tz=HELSINKI)
    assert snapshot(history) == original
    # The cut-off falls on 15 November: half of the month is anonymised, half is not.
    result = anonymise_expired(history, datetime(2028, 11, 15, tzinfo=HELSINKI), 24, tz=HELSINKI)
    assert result.visits > 0
    assert (
        history.execute(
            "SELECT count(*) FROM visits WHERE checked_in_at >= ? AND anonymised_at IS NULL "
            "AND checked_in_at < ?",
            [at(2026, 11, 15, 0), at(2026, 12, 1, 0)],
        ).fetchone()[0]
        > 0
    )
    assert snapshot(history) == original
    forget_member(history, 5, datetime(2028, 11, 20, tzinfo=HELSINKI), "test", tz=HELSINKI)
    assert snapshot(history) == original
    anonymise_expired(history, datetime(2029, 1, 15, tzinfo=HELSINKI), 24, tz=HELSINKI)
    assert snapshot(history) == original
    # Nothing left links the anonymous keys of a finished month to anyone.
    assert (
        history.execute("SELECT count(*) FROM report_keys WHERE month <= '2026-11'").fetchone()[0]
        == 0
    )
    named = history.execute(
        "SELECT count(*) FROM visits WHERE checked_in_at < ? "
        "AND (member_id IS NOT NULL OR guest_id IS NOT NULL)",
        [at(2026, 12, 1, 0)],
    ).fetchone()[0]
    assert named == 0


def test_the_month_figures_are_not_trivially_empty(history) -> None:
    summary = render(history, "summary").decode("utf-8-sig").splitlines()[1].split(";")
    # 4 members (1, 2, 4, 5), 2 guests; companies: Äijälä, the hostile one, Vierasyhtiö and
    # Äänekosken Ääni counted once although spelt two ways and once without a Y-tunnus.
    assert summary[1:5] == ["6", "4", "2", "4"]


def test_a_realistic_month_reads_the_same_after_erasure_and_retention(db) -> None:
    from kiosk.demo.month import seed_month

    october = Month(2026, 10)
    seed_month(db, october, HELSINKI)

    def everything() -> dict[str, object]:
        result: dict[str, object] = {}
        for kind in KINDS:
            stream = io.BytesIO()
            report = build_report(db, kind, october, HELSINKI, "fi", project_start=Month(2026, 9))
            write_report(report, stream, delimiter=";")
            rows = list(
                csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig")), delimiter=";")
            )
            if kind in PERSONAL:
                kept = [tuple(c for i, c in enumerate(r) if i not in PERSONAL[kind]) for r in rows]
                result[kind] = kept if kind == "visits" else sorted(kept)
            else:
                result[kind] = stream.getvalue()
        return result

    before = everything()
    for member_id in (1, 2, 3):
        forget_member(db, member_id, datetime(2026, 11, 20, tzinfo=HELSINKI), "test", tz=HELSINKI)
        assert everything() == before
    anonymise_expired(db, datetime(2028, 10, 16, tzinfo=HELSINKI), 24, tz=HELSINKI)
    assert everything() == before
    anonymise_expired(db, datetime(2028, 12, 2, tzinfo=HELSINKI), 24, tz=HELSINKI)
    assert everything() == before
