"""SVG charts (escaped, labelled, with a table) and the statistics page over demo history."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kiosk.demo.history import seed_demo_visits
from kiosk.web.charts import Labels, bar_chart, gauge, heatmap, line_chart, shade
from tests.conftest import HELSINKI

SVG = "{http://www.w3.org/2000/svg}"


def _svg(markup: str) -> ET.Element:
    start, end = markup.index("<svg"), markup.index("</svg>") + len("</svg>")
    return ET.fromstring(markup[start:end])  # noqa: S314


def test_bar_chart_escapes_and_labels() -> None:
    markup = bar_chart(
        "c1", ["<b>", "Feb"], [3, 5], Labels("Visits & <more>", "desc", "Month", "Visits")
    )
    assert "<b>" not in markup and "&lt;b&gt;" in markup
    svg = _svg(markup)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "Visits & <more>"
    bars = svg.findall(f"{SVG}rect")
    assert len(bars) == 2
    assert float(bars[1].get("height")) > float(bars[0].get("height"))
    assert "<table" in markup and "<td>5</td>" in markup


def test_line_chart_leaves_gaps_for_missing_values() -> None:
    markup = line_chart("c2", ["a", "b", "c", "d", "e"], [1, 2, None, 4, 5], Labels("T"))
    svg = _svg(markup)
    assert len(svg.findall(f"{SVG}polyline")) == 2
    assert len(svg.findall(f"{SVG}circle")) == 4
    assert "<td>–</td>" in markup


def test_heatmap_shades_the_busiest_cell_darkest() -> None:
    markup = heatmap("c3", ["Mon", "Tue"], ["9", "10"], [[0, 1], [2, 4]], Labels("Heat"))
    fills = [rect.get("fill") for rect in _svg(markup).findall(f"{SVG}rect")]
    assert fills[-1] == shade(4, 4) and fills[0] == shade(0, 4)
    assert fills[-1] != fills[1]
    with pytest.raises(ValueError, match="heatmap"):
        heatmap("c4", ["Mon"], ["9"], [[1, 2]], Labels("Bad"))


@pytest.mark.parametrize(("value", "level"), [(10, "ok"), (33, "warning"), (40, "full")])
def test_gauge_levels(value: int, level: str) -> None:
    markup = gauge("g", value, 40, Labels("Here now"), level=level)
    assert f"gauge-{level}" in markup and f"{value} / 40" in markup
    with pytest.raises(ValueError, match="level"):
        gauge("g", 1, 40, Labels("x"), level="loud")


def test_demo_history_fills_the_weeks_once(db, clock) -> None:
    from kiosk.members import NewMember, add_member

    assert seed_demo_visits(db, clock.now(), HELSINKI, weeks=4) == 0  # no members yet
    for n in range(6):
        add_member(db, NewMember(name=f"Demo Person{n}"), clock.now())
    added = seed_demo_visits(db, clock.now(), HELSINKI, weeks=4)
    assert added > 20
    assert db["visits"].count == added
    open_visits = db.execute("SELECT count(*) FROM visits WHERE checked_out_at IS NULL").fetchone()
    assert open_visits[0] == 0
    assert seed_demo_visits(db, clock.now(), HELSINKI, weeks=4) == 0  # not twice


def test_stats_page_draws_every_chart(host, appdb, add, clock) -> None:
    for n in range(8):
        add(f"Demo Person{n}")
    seed_demo_visits(appdb, clock.now(), HELSINKI, weeks=8)
    page = host.get("/staff/stats").text
    for chart_id in (
        "chart-occupancy",
        "chart-hourly",
        "chart-heatmap",
        "chart-months",
        "chart-mood",
    ):
        assert f'id="{chart_id}"' in page
    assert page.count("<svg") == 5 and page.count("<table") == 5
    assert "Show the figures as a table" in page


def test_mood_weeks_with_few_answers_are_hidden(host, appdb, add, clock) -> None:
    from kiosk.moods import record_mood
    from kiosk.visits import manual_check_in

    for n in range(3):
        record_mood(appdb, manual_check_in(appdb, add(f"Few{n}"), clock.now()), 5, clock.now())
    page = host.get("/staff/stats").text
    assert "12 weeks of the mood index are hidden" in page
    mood = page[page.index('id="chart-mood"') :]
    assert "<circle" not in mood[: mood.index("</svg>")]
