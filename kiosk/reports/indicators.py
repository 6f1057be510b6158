"""The ``indicators`` report: the EU common indicators the funder asks for, per month.

Rows are long-form (one figure a row), each with the month's value and the figure since the
project started (``PROJECT_START``) up to the month's end. Definitions (docs/indicators.md):

* **RCO01** enterprises supported: distinct companies (:mod:`kiosk.companies`) with a visit,
  by size class; a company's class is the first one given on its visits in the period.
* **RCO04** enterprises at coaching, workshops and peer groups (events of those kinds), and
  participations in them (attendees per event, added up).
* **RCO05** new enterprises supported: companies said to be founded under three years ago.
* **Participants**: distinct people with a visit, by gender and by age band. Since the
  project started, people are counted at their first visit ever, so nobody counts twice and
  anonymisation changes nothing.

Every figure below the minimum group size is shown as ``<5``; within a group whose total is
shown, complementary suppression hides one more cell, shown as ``–`` (:mod:`.suppression`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.profile import AGE_BANDS, GENDERS, SIZE_CLASSES
from kiosk.reports.columns import check_language, label
from kiosk.reports.events import attendance
from kiosk.reports.facts import VisitFact, visit_facts
from kiosk.reports.month import Month
from kiosk.reports.suppression import protected_cells
from kiosk.timeutil import to_db

SUPPORT_KINDS = ("valmennus", "työpaja", "vertaisryhmä")  # coaching, workshops, peer groups
NOT_GIVEN = "not_given"


@dataclass
class Figures:
    """The counts behind one column of the report."""

    enterprises: dict[str, str | None] = field(default_factory=dict)  # company -> size class
    new_enterprises: set[str] = field(default_factory=set)
    support_enterprises: set[str] = field(default_factory=set)
    support_participations: int = 0
    people: list[tuple[str | None, str | None]] = field(default_factory=list)  # gender, age


def _support_events(db: sqlite_utils.Database, start: str, end: str) -> list[dict[str, Any]]:
    marks = ",".join("?" * len(SUPPORT_KINDS))
    cursor = db.conn.execute(
        "SELECT id, starts_at, ends_at FROM events "  # noqa: S608 - only placeholders
        f"WHERE starts_at >= ? AND starts_at < ? AND cancelled_at IS NULL AND kind IN ({marks})",
        [start, end, *SUPPORT_KINDS],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _enterprise_figures(
    db: sqlite_utils.Database, facts: list[VisitFact], start: str, end: str, tz: ZoneInfo
) -> Figures:
    figures = Figures()
    support_ids = {
        row[0]
        for row in db.conn.execute(
            "SELECT id FROM events WHERE kind IN (?, ?, ?)", list(SUPPORT_KINDS)
        )
    }
    for fact in facts:
        if fact.company is None:
            continue
        if figures.enterprises.get(fact.company) is None:
            figures.enterprises[fact.company] = fact.size_class
        if fact.company_new:
            figures.new_enterprises.add(fact.company)
        if fact.event_id in support_ids:
            figures.support_enterprises.add(fact.company)
    held = _support_events(db, start, end)
    figures.support_participations = sum(
        len(seen.attendees) for seen in attendance(db, held, tz).values()
    )
    return figures


def month_figures(db: sqlite_utils.Database, month: Month, tz: ZoneInfo) -> Figures:
    """The figures of one month: people are the distinct people who visited."""
    start, end = month.db_bounds(tz)
    facts = visit_facts(db, start, end, tz)
    figures = _enterprise_figures(db, facts, start, end, tz)
    classes: dict[str, list[str | None]] = {}
    for fact in facts:
        if fact.person is None:
            continue
        known = classes.setdefault(fact.person, [None, None])
        known[0] = known[0] or fact.gender
        known[1] = known[1] or fact.age_band
    figures.people = [(gender, age) for gender, age in classes.values()]
    return figures


def cumulative_figures(
    db: sqlite_utils.Database, first: Month, last: Month, tz: ZoneInfo
) -> Figures:
    """The figures from the start of ``first`` to the end of ``last``.

    People are counted at their first visit ever, the one visit each person has exactly once
    (decided at check-in), so a person coming back in another month is not counted again,
    even after their visits were anonymised.
    """
    start = to_db(first.utc_bounds(tz)[0])
    end = to_db(last.utc_bounds(tz)[1])
    facts = visit_facts(db, start, end, tz)
    figures = _enterprise_figures(db, facts, start, end, tz)
    figures.people = [(f.gender, f.age_band) for f in facts if f.first_visit]
    return figures


def _count(values: list[str | None], categories: tuple[str, ...]) -> list[int]:
    return [sum(1 for v in values if v == c) for c in categories] + [
        sum(1 for v in values if v not in categories)
    ]


def _groups(figures: Figures) -> list[tuple[str, str, str, list[str], int, list[int]]]:
    """(indicator, measure, breakdown, categories, total, counts) for every group."""
    size = list(figures.enterprises.values())
    genders = [gender for gender, _age in figures.people]
    ages = [age for _gender, age in figures.people]
    people = len(figures.people)
    return [
        ("RCO01", "enterprises", "size_class", [*SIZE_CLASSES, NOT_GIVEN], len(size),
         _count(size, SIZE_CLASSES)),
        ("RCO04", "support_enterprises", "total", [], len(figures.support_enterprises), []),
        ("RCO04", "support_participations", "total", [], figures.support_participations, []),
        ("RCO05", "new_enterprises", "total", [], len(figures.new_enterprises), []),
        ("participants", "participants", "gender", [*GENDERS, NOT_GIVEN], people,
         _count(genders, GENDERS)),
        ("participants", "participants", "age_band", [*AGE_BANDS, NOT_GIVEN], people,
         _count(ages, AGE_BANDS)),
    ]  # fmt: skip


def _cells(figures: Figures | None, threshold: int) -> list[list[object]]:
    if figures is None:
        return [["" for _ in range(1 + len(g[3]))] for g in _groups(Figures())]
    return [protected_cells(total, counts, threshold) for *_, total, counts in _groups(figures)]


def indicators_rows(
    db: sqlite_utils.Database,
    month: Month,
    tz: ZoneInfo,
    language: str,
    *,
    project_start: Month | None = None,
    min_group_size: int = 5,
) -> Iterator[list[Any]]:
    """Yield the rows of :data:`kiosk.reports.columns.INDICATORS` for ``month``."""
    check_language(language)
    here = month_figures(db, month, tz)
    since = (
        cumulative_figures(db, project_start, month, tz)
        if project_start is not None and project_start <= month
        else None
    )
    monthly, cumulative = _cells(here, min_group_size), _cells(since, min_group_size)
    participants_total_done = False
    for (indicator, measure, breakdown, categories, _total, _counts), values, totals in zip(
        _groups(here), monthly, cumulative, strict=True
    ):
        # The participants' total is shared by the gender and the age band groups: once.
        if not (indicator == "participants" and participants_total_done):
            yield [str(month), indicator, label(measure, language), label("total", language),
                   label("total", language), values[0], totals[0]]  # fmt: skip
        participants_total_done = participants_total_done or indicator == "participants"
        for index, category in enumerate(categories, start=1):
            yield [str(month), indicator, label(measure, language), label(breakdown, language),
                   label(category, language), values[index], totals[index]]  # fmt: skip
