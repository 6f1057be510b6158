"""The indicators report against reviewed golden files, suppression and all.

The fixture: a project that started in October 2026. In November 20 people visit from 13
companies (two spellings of one company and a name matched to a Y-tunnus count once); a
workshop has 7 attendees. The counts are chosen so that small cells are hidden ("<5"), and so
that in the age bands exactly one cell is small, which hides a cell of 5 as well: it must
read "–", not "<5".
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from kiosk.reports import Month, build_report, write_report

from .conftest import HELSINKI, add_visit, at

GOLDEN = Path(__file__).parent / "golden"
PROJECT_START = Month(2026, 10)

# (gender, age band, company, Y-tunnus, size class, founded < 3 years)
PEOPLE = [
    ("woman", "under_30", "Äänekosken Ääni Oy", "3456789-0", "micro", 1),
    ("woman", "under_30", "ÄÄNEKOSKEN  ÄÄNI OY", None, "micro", 1),  # the same company
    ("woman", "under_30", "Äänekosken ääni oy", None, None, None),  # and again
    ("woman", "under_30", "Puuseppä Tmi", None, "micro", 1),
    ("woman", "under_30", "Kahvila Kuppi", None, "micro", 1),
    ("woman", "under_30", "Kahvila Kuppi", None, "micro", 1),
    ("woman", "30_54", "Laukaan Lanka Oy", "1572860-0", "small", 0),
    ("woman", "30_54", "Kuva Ky", None, "micro", 1),
    ("woman", "30_54", "Kirja Oy", None, "small", 0),
    ("man", "30_54", "Metsä Oy", None, "small", 0),
    ("man", "30_54", "Metsä Oy", None, "small", 0),
    ("man", "30_54", "Rakennus Oy", None, "small", 0),
    ("man", "30_54", "Sähkö Oy", None, "small", 0),
    ("man", None, "Iso Tehdas Oyj", None, "medium", 0),
    ("man", None, "Pienyritys Ky", None, "micro", 1),
    ("man", None, "Tuntematon Oy", None, None, None),
    ("man", None, "Kalastus Oy", None, "micro", 0),
    ("non_binary", "55_plus", None, None, None, None),
    (None, "55_plus", None, None, None, None),
    (None, None, None, None, None, None),
]


@pytest.fixture
def project_db(db):
    created = at(2026, 9, 1, 9)
    for number, (gender, age, company, bid, size, new) in enumerate(PEOPLE, start=1):
        db["members"].insert(
            dict(id=number, name=f"Jäsen {number}", first_name="Jäsen", company=company,
                 business_id=bid, gender=gender, age_band=age, size_class=size,
                 company_new=new, created_at=created, updated_at=created)
        )  # fmt: skip
    db["known_companies"].insert_all(
        [{"name_key": "äänekosken ääni oy", "business_id": "3456789-0"},
         {"name_key": "laukaan lanka oy", "business_id": "1572860-0"}]
    )  # fmt: skip
    # October: members 1 and 2 come for the first time, and a member who never comes back.
    db["members"].insert(dict(id=21, name="Lokakuu", first_name="Lokakuu", gender="woman",
                              created_at=created, updated_at=created))  # fmt: skip
    for member in (1, 2, 21):
        add_visit(db, member_id=member, checked_in_at=at(2026, 10, 6, 9),
                  checked_out_at=at(2026, 10, 6, 11), first_visit=1)  # fmt: skip
    db["events"].insert(dict(id=1, title="Työpaja: kassavirta", kind="työpaja",
                             starts_at=at(2026, 11, 18, 13), ends_at=at(2026, 11, 18, 15),
                             created_at=created))  # fmt: skip
    for member in range(1, 21):
        at_workshop = member <= 7
        add_visit(db, member_id=member,
                  checked_in_at=at(2026, 11, 18, 12, 30) if at_workshop else at(2026, 11, 4, 9),
                  checked_out_at=at(2026, 11, 18, 15, 30) if at_workshop else at(2026, 11, 4, 12),
                  event_id=1 if at_workshop else None, first_visit=int(member > 2))  # fmt: skip
    # A second visit in the month changes nobody's count.
    add_visit(db, member_id=10, checked_in_at=at(2026, 11, 25, 9),
              checked_out_at=at(2026, 11, 25, 10))  # fmt: skip
    return db


def render(db, language: str = "fi", **extra) -> bytes:
    stream = io.BytesIO()
    report = build_report(db, "indicators", Month(2026, 11), HELSINKI, language,
                          project_start=PROJECT_START, **extra)  # fmt: skip
    write_report(report, stream, delimiter=";")
    return stream.getvalue()


@pytest.mark.parametrize("language", ["fi", "en"])
def test_indicators_match_golden(project_db, language: str) -> None:
    produced = render(project_db, language)
    path = GOLDEN / f"indicators-project-2026-11-{language}.csv"
    if os.environ.get("REPORTS_WRITE_GOLDEN") == "1":
        path.write_bytes(produced)
    assert produced == path.read_bytes()


def rows(db, **extra) -> dict[tuple[str, str, str], tuple[str, str]]:
    text = render(db, "en", **extra).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    return {(r[1], r[3], r[4]): (r[5], r[6]) for r in table}


def rows_in_order(db) -> list[tuple[tuple[str, str, str], tuple[str, str]]]:
    text = render(db, "en").decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    return [((r[1], r[3], r[4]), (r[5], r[6])) for r in table]


def test_the_figures_behind_the_golden_file(project_db) -> None:
    table = rows(project_db)
    # 13 companies: the three spellings of Äänekosken Ääni are one, Kahvila Kuppi and Metsä
    # Oy have two people each.
    assert table[("RCO01", "total", "total")] == ("13", "13")
    assert table[("RCO01", "size class", "micro")] == ("6", "6")
    assert table[("RCO01", "size class", "small")] == ("5", "5")
    assert table[("RCO01", "size class", "medium")] == ("<5", "<5")
    assert table[("RCO05", "total", "total")] == ("5", "5")
    # The workshop: 7 people from 4 companies (Äänekosken Ääni thrice, Kahvila Kuppi twice).
    rco04 = [v for k, v in rows_in_order(project_db) if k[0] == "RCO04"]
    assert rco04 == [("<5", "<5"), ("7", "7")]
    # People since October: members 1 and 2 first came in October, and one October visitor
    # never came back; nobody is counted twice.
    assert table[("participants", "total", "total")] == ("20", "21")
    # Age bands: only 55+ (2) is small, so 5 "not given" could be read off the total; it is
    # hidden as well and reads "–", not "<5".
    assert table[("participants", "age band", "55+")] == ("<5", "<5")
    assert table[("participants", "age band", "not given")] == ("–", "6")
    assert table[("participants", "age band", "under 30")] == ("6", "–")


def test_no_hidden_cell_can_be_worked_out_from_its_total(project_db) -> None:
    text = render(project_db, "en").decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    for column in (5, 6):
        groups: dict[tuple[str, str], list[str]] = {}
        totals: dict[str, str] = {}
        for row in table:
            if row[3] == "total":
                totals[row[1]] = row[column]
            else:
                groups.setdefault((row[1], row[3]), []).append(row[column])
        for (indicator, _breakdown), cells in groups.items():
            hidden = [c for c in cells if not c.isdigit()]
            assert len(hidden) != 1, (indicator, cells)
            if totals[indicator].isdigit() and hidden and all(c == "<5" for c in hidden):
                # Small cells only: their sum must not force each to its top value (4).
                rest = int(totals[indicator]) - sum(int(c) for c in cells if c.isdigit())
                assert rest < 4 * len(hidden), (indicator, cells)


def test_the_threshold_follows_the_setting(project_db) -> None:
    table = rows(project_db, min_group_size=3)
    assert table[("participants", "age band", "55+")] == ("<3", "<3")
    assert table[("RCO01", "size class", "medium")] == ("<3", "<3")
